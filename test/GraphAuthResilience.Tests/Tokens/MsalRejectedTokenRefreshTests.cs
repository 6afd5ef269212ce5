using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Challenges;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Tokens;

/// <summary>Client credentials refresh a rejected token with MSAL's <c>WithAccessTokenSha256ToRefresh</c>: only when
/// MSAL's cached token is the rejected one.</summary>
public class MsalRejectedTokenRefreshTests
{
    private const string UsersUrl = "https://graph.microsoft.com/v1.0/users";

    private static HttpResponseMessage Revoked() => GraphResponses.Json(
        HttpStatusCode.Unauthorized,
        """{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}""",
        "Bearer realm=\"\", error=\"invalid_token\", error_description=\"User session has been revoked\"");

    [Test]
    public async Task ForClientCredentials_TwoChainsSharingOneAppRejectTheSameToken_OneTokenPostForTheRejection()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var app = endpoint.CreateConfidentialClient();
        using var first = new ChainHarness(MsalTokenSource.ForClientCredentials(app));
        using var second = new ChainHarness(MsalTokenSource.ForClientCredentials(app));
        await first.CreateClient().GetAsync(UsersUrl);
        await second.CreateClient().GetAsync(UsersUrl);
        var rejected = endpoint.IssuedTokens.Single();
        Assert.That(endpoint.Posts, Is.EqualTo(1), "the second chain got the token from the shared MSAL cache");

        // Graph now rejects that token, once per chain.
        Func<HttpRequestMessage, int, HttpResponseMessage> rejectIt = (request, _) =>
            request.Headers.Authorization?.Parameter == rejected ? Revoked() : GraphResponses.Json(HttpStatusCode.OK, "{}");
        first.Graph.Respond = rejectIt;
        second.Graph.Respond = rejectIt;

        var a = await first.CreateClient().GetAsync(UsersUrl);
        var b = await second.CreateClient().GetAsync(UsersUrl);

        Assert.That(a.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(b.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Posts, Is.EqualTo(2), "one token POST for the one rejection: the second chain's refresh found MSAL already holding a new token");
        var replacement = endpoint.IssuedTokens.Last();
        Assert.That(first.Graph.Requests.Last().TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(replacement)));
        Assert.That(second.Graph.Requests.Last().TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(replacement)));
    }

    [Test]
    public async Task ForClientCredentials_RejectionOfTheCachedToken_RefreshesIt()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var source = MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient());
        var scopes = new[] { GraphAuthOptions.DefaultScope };
        var token = await source.GetTokenAsync(new GraphTokenRequest(scopes), CancellationToken.None);

        var refreshed = await source.GetTokenAsync(
            new GraphTokenRequest(scopes) { ForceRefresh = true, RejectedTokenSha256 = GraphTokenRequest.Sha256Hex(token.Value) }, CancellationToken.None);
        var other = await source.GetTokenAsync(
            new GraphTokenRequest(scopes) { ForceRefresh = true, RejectedTokenSha256 = GraphTokenRequest.Sha256Hex(token.Value) }, CancellationToken.None);

        Assert.That(refreshed.Value, Is.Not.EqualTo(token.Value));
        Assert.That(other.Value, Is.EqualTo(refreshed.Value), "the second report of the same rejection is served from MSAL's cache");
        Assert.That(endpoint.Posts, Is.EqualTo(2));
    }

    [Test]
    public async Task ForClientCredentials_ForceRefreshWithoutARejectedToken_StillForcesARefresh()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var source = MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient());
        var scopes = new[] { GraphAuthOptions.DefaultScope };
        await source.GetTokenAsync(new GraphTokenRequest(scopes), CancellationToken.None);

        await source.GetTokenAsync(new GraphTokenRequest(scopes) { ForceRefresh = true }, CancellationToken.None);

        Assert.That(endpoint.Posts, Is.EqualTo(2));
    }
}
