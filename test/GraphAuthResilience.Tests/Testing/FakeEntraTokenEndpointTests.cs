using System.Net;
using GraphAuthResilience.Testing;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Tests.Testing;

public class FakeEntraTokenEndpointTests
{
    private static readonly string[] Scopes = [FakeEntraTokenEndpoint.Scope];

    [Test]
    public async Task AcquireTokenForClient_Unscripted_ReturnsAMadeUpTokenAndRecordsTheForm()
    {
        using var endpoint = new FakeEntraTokenEndpoint();
        var app = endpoint.CreateConfidentialClient(FakeEntraTokenEndpoint.ClientId);

        var result = await app.AcquireTokenForClient(Scopes).ExecuteAsync();

        Assert.That(result.AccessToken, Is.EqualTo(endpoint.IssuedTokens.Single()));
        Assert.That(GraphTokenInfo.TryParse(result.AccessToken, out var info) && info.IsAppOnly, Is.True);
        var request = endpoint.Requests.Single();
        Assert.That(request.GrantType, Is.EqualTo("client_credentials"));
        Assert.That(request.Form["scope"], Does.Contain(FakeEntraTokenEndpoint.Scope));
        Assert.That(request.HasChallengeClaims, Is.False);
    }

    [TestCase(65001, "invalid_grant")]
    [TestCase(50076, "interaction_required")]
    [TestCase(7000215, "invalid_client")]
    [TestCase(700016, "unauthorized_client")]
    public void AcquireTokenForClient_ScriptedAadsts_MsalSeesTheErrorAndCode(int aadsts, string error)
    {
        using var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(aadsts);
        var app = endpoint.CreateConfidentialClient();

        var thrown = Assert.CatchAsync<MsalServiceException>(() => app.AcquireTokenForClient(Scopes).ExecuteAsync());

        Assert.That(thrown!.ErrorCode, Is.EqualTo(error));
        Assert.That(thrown.Message, Does.Contain("AADSTS" + aadsts));
        Assert.That(endpoint.Posts, Is.EqualTo(1));
    }

    [Test]
    public void AcquireTokenForClient_ScriptedThrottling_MsalSeesRetryAfter()
    {
        using var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueServerError((HttpStatusCode)429, TimeSpan.FromSeconds(7));
        var app = endpoint.CreateConfidentialClient();

        var thrown = Assert.CatchAsync<MsalServiceException>(() => app.AcquireTokenForClient(Scopes).ExecuteAsync());

        Assert.That(thrown!.StatusCode, Is.EqualTo(429));
        Assert.That(thrown.Headers?.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(7)));
    }

    [Test]
    public async Task AcquireTokenForClient_ScriptedServerErrorThenToken_SecondPostSucceeds()
    {
        using var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueServerError(HttpStatusCode.ServiceUnavailable);
        endpoint.EnqueueToken("header.payload.signature", expiresIn: 600);
        var app = endpoint.CreateConfidentialClient();

        Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient(Scopes).ExecuteAsync());
        var result = await app.AcquireTokenForClient(Scopes).ExecuteAsync();

        Assert.That(result.AccessToken, Is.EqualTo("header.payload.signature"));
        Assert.That(endpoint.Posts, Is.EqualTo(2));
    }

    [Test]
    public async Task AcquireTokenForClient_WithChallengeClaims_CountedApartFromClientCapabilities()
    {
        using var endpoint = new FakeEntraTokenEndpoint();
        var app = endpoint.CreateConfidentialClient(null, "cp1");

        await app.AcquireTokenForClient(Scopes).ExecuteAsync();
        await app.AcquireTokenForClient(Scopes).WithClaims("""{"access_token":{"nbf":{"essential":true,"value":"1702682181"}}}""").ExecuteAsync();

        Assert.That(endpoint.Posts, Is.EqualTo(2));
        Assert.That(endpoint.PostsWithClaims, Is.EqualTo(1));
        Assert.That(endpoint.Requests[0].Claims, Does.Contain("xms_cc"));
        Assert.That(endpoint.Requests[1].Claims, Does.Contain("1702682181"));
    }

    [Test]
    public void SendAsync_AnythingButATokenPost_Throws()
    {
        using var endpoint = new FakeEntraTokenEndpoint();

        Assert.ThrowsAsync<InvalidOperationException>(() => endpoint.GetHttpClient().GetAsync(new Uri("https://login.microsoftonline.com/common/discovery/instance")));
    }
}
