using System.Net;
using System.Text;
using System.Text.Json;
using GraphAuthResilience.Testing;
using GraphAuthResilience.WebApi.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.IdentityWeb.Tests;

/// <summary>The Identity.Web token source through a real Identity.Web web API (see <see cref="IdentityWebApi"/>).</summary>
public class IdentityWebTokenSourceTests
{
    private static readonly FakeUser Adele = FakeUser.Find("adele")!;
    private static readonly FakeUser Alex = FakeUser.Find("alex")!;

    [Test]
    public async Task OnBehalfOf_TwoCallers_EachGetsGraphTokenForThemselvesAndOneExchangeEach()
    {
        await using var api = await IdentityWebApi.StartAsync();
        var adeleToken = api.Tenant.CallerToken(Adele);
        var alexToken = api.Tenant.CallerToken(Alex);

        var answers = new List<string>();
        foreach (var token in new[] { adeleToken, alexToken, adeleToken, alexToken, adeleToken })
        {
            using var response = await api.CallAsync("/me", token);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        Assert.That(answers, Is.EqualTo(new[] { "Adele Vance", "Alex Wilber", "Adele Vance", "Alex Wilber", "Adele Vance" }));
        Assert.That(api.OnBehalfOfRequests.Select(r => r.Form["assertion"]), Is.EqualTo(new[] { adeleToken, alexToken }),
            "one on-behalf-of exchange per caller, with that caller's token; the chain's cache serves the rest");
        Assert.That(api.OnBehalfOfRequests.Select(r => r.Form["client_secret"]), Is.All.EqualTo(FakeEntraTokenEndpoint.Secret),
            "Identity.Web's own MSAL application, with the client secret from configuration");
        Assert.That(api.Tenant.Graph.Requests.Select(r => api.Tenant.CallerOf(r)), Is.EqualTo(new[] { Adele, Alex, Adele, Alex, Adele }),
            "each caller's Graph call carries a token for that caller, never another caller's");
    }

    [Test]
    public async Task OnBehalfOf_CaeClaimsChallenge_IsMetWithTheClaimsAndReplayed()
    {
        await using var api = await IdentityWebApi.StartAsync();
        var caller = api.Tenant.CallerToken(Adele);
        api.Tenant.Graph.EnqueueClaimsChallenge();

        using var response = await api.CallAsync("/me", caller);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Adele Vance"));
        var exchanges = api.OnBehalfOfRequests.ToList();
        Assert.That(exchanges, Has.Count.EqualTo(2), "one token POST, then one more to meet the challenge");
        Assert.That(api.Tenant.Entra.PostsWithClaims, Is.EqualTo(1));
        using var claims = JsonDocument.Parse(exchanges[1].Claims!);
        var accessToken = claims.RootElement.GetProperty("access_token");
        Assert.That(accessToken.GetProperty("nbf").GetProperty("value").GetString(), Is.EqualTo("1702682181"), "the challenge's claims, decoded, reached MSAL through Identity.Web");
        Assert.That(accessToken.GetProperty("xms_cc").GetProperty("values")[0].GetString(), Is.EqualTo("cp1"), "the client capability from Identity.Web's configuration");
        Assert.That(api.Tenant.Graph.Requests, Has.Count.EqualTo(2));
        Assert.That(api.Tenant.Graph.Requests[1].TokenHash, Is.Not.EqualTo(api.Tenant.Graph.Requests[0].TokenHash), "the replay carries the new token");
        Assert.That(api.Tenant.CallerOf(api.Tenant.Graph.Requests[1]), Is.EqualTo(Adele));
    }

    [Test]
    public async Task OnBehalfOf_RefreshableUnauthorized_ForceRefreshBypassesIdentityWebsCache()
    {
        await using var api = await IdentityWebApi.StartAsync();
        var caller = api.Tenant.CallerToken(Adele);
        api.Tenant.Graph.Enqueue(request => GraphResponses.Error(
            HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.", request: request));

        using var response = await api.CallAsync("/me", caller);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(api.OnBehalfOfRequests.Count(), Is.EqualTo(2), "the forced refresh went past MSAL's cache to the token endpoint");
        Assert.That(api.Tenant.Entra.PostsWithClaims, Is.Zero);
        Assert.That(api.Tenant.Graph.Requests.Select(r => r.TokenHash).Distinct().Count(), Is.EqualTo(2));
    }

    [Test]
    public async Task OnBehalfOf_ConsentMissing_CallerGets401ConsentRequiredChallenge()
    {
        await using var api = await IdentityWebApi.StartAsync();
        var caller = api.Tenant.CallerToken(FakeUser.Find("lee")!);

        using var response = await api.CallAsync("/me", caller);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var parameters = WwwAuthenticateParameters.CreateFromAuthenticationHeaders(response.Headers, "Bearer");
        Assert.That(parameters.Error, Is.EqualTo("consent_required"));
        Assert.That(parameters.Claims, Is.Null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(body, Does.Contain("ConsentRequired"));
        Assert.That(body, Does.Not.Contain(caller).And.Not.Contain(FakeEntraTokenEndpoint.Secret).And.Not.Contain("Trace ID"));
        Assert.That(api.Tenant.Graph.Sends, Is.Zero, "nothing was sent to Graph");
    }

    [Test]
    public async Task OnBehalfOf_MfaRequired_CallerGets401ClaimsChallengeWithTheClaims()
    {
        await using var api = await IdentityWebApi.StartAsync();
        var caller = api.Tenant.CallerToken(FakeUser.Find("megan")!);

        using var response = await api.CallAsync("/me", caller);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var parameters = WwwAuthenticateParameters.CreateFromAuthenticationHeaders(response.Headers, "Bearer");
        Assert.That(parameters.Error, Is.EqualTo("insufficient_claims"));
        Assert.That(parameters.Claims, Is.EqualTo(FakeTenant.MfaClaims), "the claims Entra ID asked for, for the caller's MSAL to meet");
        Assert.That(response.Headers.WwwAuthenticate.Single().ToString(), Does.Contain(Convert.ToBase64String(Encoding.UTF8.GetBytes(FakeTenant.MfaClaims))));
    }

    [Test]
    public async Task AppOnly_ClientCredentialsFromIdentityWeb_CachedByTheChain()
    {
        await using var api = await IdentityWebApi.StartAsync();
        var caller = api.Tenant.CallerToken(Adele);
        const string user = """{"id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd","displayName":"Megan Bowen"}""";
        api.Tenant.Graph.Enqueue(request => GraphResponses.Ok(user, request));
        api.Tenant.Graph.Enqueue(request => GraphResponses.Ok(user, request));

        using var first = await api.CallAsync("/app/users/87d349ed-44d7-43e1-9a83-5f2406dee5bd", caller);
        using var second = await api.CallAsync("/app/users/87d349ed-44d7-43e1-9a83-5f2406dee5bd", caller);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var posts = api.Tenant.Entra.Requests;
        Assert.That(posts.Select(r => r.GrantType), Is.EqualTo(new[] { "client_credentials" }), "one app-only acquisition, no on-behalf-of");
        Assert.That(posts[0].Form["scope"], Does.Contain("https://graph.microsoft.com/.default"));
        Assert.That(posts[0].Form["client_secret"], Is.EqualTo(FakeEntraTokenEndpoint.Secret));
        var appToken = api.Tenant.Entra.IssuedTokens.Single();
        Assert.That(api.Tenant.Graph.Requests.Select(r => r.Carries(appToken)), Is.EqualTo(new[] { true, true }), "both calls carry the one app-only token");
        Assert.That(api.Tenant.Graph.Requests[0].TokenInfo?.IsAppOnly, Is.True);
    }

    [TestCase("app", "client_credentials")]
    [TestCase("caller", FakeTenant.OnBehalfOfGrant)]
    public async Task RequestTenantId_IsTheTenantIdentityWebAsksATokenFrom(string kind, string grant)
    {
        await using var api = await IdentityWebApi.StartAsync();
        var caller = api.Tenant.CallerToken(Adele);
        const string Customer = "c0ffee00-0000-4000-8000-00000000c057";

        using var own = await api.CallAsync($"/{kind}/tenants/{FakeEntraTokenEndpoint.Tenant}/token", caller);
        using var customer = await api.CallAsync($"/{kind}/tenants/{Customer}/token", caller);

        Assert.That(await own.Content.ReadAsStringAsync(), Is.EqualTo("true"));
        Assert.That(await customer.Content.ReadAsStringAsync(), Is.EqualTo("true"));
        Assert.That(api.Tenant.Entra.Requests.Select(r => r.GrantType), Is.All.EqualTo(grant));
        Assert.That(api.TokenEndpoints.Posts.Select(u => u.AbsolutePath), Is.EqualTo(new[]
        {
            $"/{FakeEntraTokenEndpoint.Tenant}/oauth2/v2.0/token",
            $"/{Customer}/oauth2/v2.0/token",
        }), "one token per tenant, each from that tenant's token endpoint");
    }

    [Test]
    public async Task OnBehalfOf_OutsideARequest_FailsWithATypedException()
    {
        await using var api = await IdentityWebApi.StartAsync();
        var source = IdentityWebTokenSource.OnBehalfOfCaller(api.App.Services);

        var failure = Assert.CatchAsync<GraphAuthException>(async () => await source.GetCachePartitionAsync(CancellationToken.None));

        Assert.That(failure!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(failure.Remediation, Does.Contain("AppOnly"));
    }

    [Test]
    public void AddGraphAuthHandlersForIdentityWeb_WithoutIdentityWebTokenAcquisition_FailsValidationSayingWhatToCall()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("graph").AddGraphAuthHandlersForIdentityWeb();
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<GraphAuthOptions>>().Get("graph"));

        Assert.That(failure!.Message, Does.Contain("EnableTokenAcquisitionToCallDownstreamApi"));
    }
}
