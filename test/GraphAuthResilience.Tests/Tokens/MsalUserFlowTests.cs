using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Tests.Tokens;

public class MsalUserFlowTests
{
    private const string Assertion = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJhcGk6Ly9teS1hcGkiLCJtYXJrZXIiOiJVU0VSLUFTU0VSVElPTiJ9.c2ln";

    [Test]
    public async Task OnBehalfOf_ColdThenCached_OnePostWithTheAssertionAndForceRefreshBypassesTheCache()
    {
        var endpoint = new FakeEntraTokenEndpoint { DelegatedByDefault = true };
        var calls = 0;
        var source = MsalTokenSource.OnBehalfOf(endpoint.CreateConfidentialClient(), _ =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.FromResult(Assertion);
        });
        var request = new GraphTokenRequest(["https://graph.microsoft.com/User.Read"]);

        var first = await source.GetTokenAsync(request, CancellationToken.None);
        var second = await source.GetTokenAsync(request, CancellationToken.None);
        Assert.That(second.Value, Is.EqualTo(first.Value), "MSAL's OBO cache serves the second call");
        Assert.That(endpoint.Posts, Is.EqualTo(1));
        Assert.That(endpoint.Forms[0]["grant_type"], Is.EqualTo("urn:ietf:params:oauth:grant-type:jwt-bearer"));
        Assert.That(endpoint.Forms[0]["assertion"], Is.EqualTo(Assertion));

        var forced = await source.GetTokenAsync(request with { ForceRefresh = true }, CancellationToken.None);
        Assert.That(forced.Value, Is.Not.EqualTo(first.Value));
        Assert.That(endpoint.Posts, Is.EqualTo(2));
        Assert.That(calls, Is.EqualTo(3));
    }

    [Test]
    public void OnBehalfOf_InteractionRequired_CarriesClaimsAndScopesButNeverTheAssertion()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        const string claims = "{\"access_token\":{\"polids\":{\"essential\":true,\"Values\":[\"9ab03e19-ed42-4168-b6b7-7001fb3e933a\"]}}}";
        endpoint.Enqueue(_ =>
        {
            var response = FakeEntraTokenEndpoint.ErrorResponse(HttpStatusCode.BadRequest, "interaction_required", "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication.", 50079);
            var json = response.Content.ReadAsStringAsync().Result.TrimEnd('}') + ",\"claims\":" + System.Text.Json.JsonSerializer.Serialize(claims) + "}";
            response.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            return response;
        });
        var source = MsalTokenSource.OnBehalfOf(endpoint.CreateConfidentialClient(), _ => ValueTask.FromResult(Assertion));

        var ex = Assert.CatchAsync<GraphAuthException>(async () =>
            await source.GetTokenAsync(new GraphTokenRequest(["https://graph.microsoft.com/User.Read"]), CancellationToken.None));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.InteractionRequired));
        Assert.That(ex.AadstsCode, Is.EqualTo("AADSTS50079"));
        Assert.That(ex.Claims, Is.EqualTo(claims));
        Assert.That(ex.Scopes, Is.EqualTo(new[] { "https://graph.microsoft.com/User.Read" }));
        Assert.That(ex.ToString(), Does.Not.Contain(Assertion).And.Not.Contain("USER-ASSERTION").And.Not.Contain(FakeEntraTokenEndpoint.Secret));
    }

    [Test]
    public async Task OnBehalfOf_TwoUsersThroughOneClient_EachGetsTheirOwnTokenNeverTheOther()
    {
        var endpoint = new FakeEntraTokenEndpoint { DelegatedByDefault = true };
        var currentUser = new AsyncLocal<string>();
        var source = MsalTokenSource.OnBehalfOf(endpoint.CreateConfidentialClient(), _ => ValueTask.FromResult(currentUser.Value!));
        using var harness = new ChainHarness(source, o => { o.Scopes.Clear(); o.Scopes.Add("https://graph.microsoft.com/User.Read"); });
        var client = harness.CreateClient();

        async Task<string?[]> CallAs(string assertion, int count)
        {
            currentUser.Value = assertion;
            var tokens = new List<string?>();
            for (var i = 0; i < count; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
                await client.SendAsync(request);
                tokens.Add(harness.Graph.Requests.Last(r => r.Uri == request.RequestUri).TokenHash);
            }

            return [.. tokens];
        }

        var alice = await Task.Run(() => CallAs(Assertion + "-alice", 3));
        var bob = await Task.Run(() => CallAs(Assertion + "-bob", 3));
        var aliceAgain = await Task.Run(() => CallAs(Assertion + "-alice", 1));

        Assert.That(alice.Distinct().Count(), Is.EqualTo(1));
        Assert.That(bob.Distinct().Count(), Is.EqualTo(1));
        Assert.That(bob[0], Is.Not.EqualTo(alice[0]), "bob must never get alice's token");
        Assert.That(aliceAgain[0], Is.EqualTo(alice[0]));
        Assert.That(endpoint.Posts, Is.EqualTo(2));
        Assert.That(endpoint.Forms.Select(f => f["assertion"]), Is.EqualTo(new[] { Assertion + "-alice", Assertion + "-bob" }));
    }

    [Test]
    public async Task OnBehalfOf_TransientFailureThenSuccess_AssertionReadOncePerAcquisition()
    {
        var endpoint = new FakeEntraTokenEndpoint { DelegatedByDefault = true };
        endpoint.EnqueueError(HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", "The service is temporarily unavailable.", 50000);
        var reads = 0;
        var source = MsalTokenSource.OnBehalfOf(
            endpoint.CreateConfidentialClient(),
            _ => ValueTask.FromResult(Interlocked.Increment(ref reads) == 1 ? Assertion : string.Empty),
            new MsalTokenSourceOptions { RetryDelay = TimeSpan.FromMilliseconds(5) });

        var token = await source.GetTokenAsync(new GraphTokenRequest(["https://graph.microsoft.com/User.Read"]), CancellationToken.None);

        Assert.That(token.Value, Is.Not.Empty);
        Assert.That(endpoint.Posts, Is.EqualTo(2), "the retry reused the assertion read before the first attempt");
        Assert.That(reads, Is.EqualTo(1));
    }

    [Test]
    public void OnBehalfOf_EmptyAssertion_TypedFailureWithoutAnyPost()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var source = MsalTokenSource.OnBehalfOf(endpoint.CreateConfidentialClient(), _ => ValueTask.FromResult(string.Empty));

        var ex = Assert.CatchAsync<GraphAuthException>(async () =>
            await source.GetTokenAsync(new GraphTokenRequest(["User.Read"]), CancellationToken.None));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(endpoint.Posts, Is.EqualTo(0));
    }

    [Test]
    public async Task ForUser_SignedInAccount_SilentFromCacheThenForcedAndClaimsGoToTheEndpoint()
    {
        var endpoint = new FakeEntraTokenEndpoint { DelegatedByDefault = true };
        var app = PublicClientApplicationBuilder.Create(Guid.NewGuid().ToString())
            .WithAuthority($"https://login.microsoftonline.com/{FakeEntraTokenEndpoint.Tenant}/")
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(endpoint, retryOnceOn5xx: false)
            .WithClientCapabilities(["cp1"])
            .Build();
        var scopes = new[] { "https://graph.microsoft.com/User.Read" };

        // Sign in without a browser: redeem a refresh token, which puts the account in MSAL's cache.
        var signIn = await ((IByRefreshToken)app).AcquireTokenByRefreshToken(scopes, "rt-initial").ExecuteAsync();
        var account = (await app.GetAccountsAsync()).Single();
        var source = MsalTokenSource.ForUser(app, account);
        Assert.That(endpoint.Posts, Is.EqualTo(1));

        var silent = await source.GetTokenAsync(new GraphTokenRequest(scopes), CancellationToken.None);
        Assert.That(silent.Value, Is.EqualTo(signIn.AccessToken));
        Assert.That(endpoint.Posts, Is.EqualTo(1), "served from MSAL's cache");

        var forced = await source.GetTokenAsync(new GraphTokenRequest(scopes) { ForceRefresh = true }, CancellationToken.None);
        Assert.That(forced.Value, Is.Not.EqualTo(silent.Value));
        Assert.That(endpoint.Forms[^1]["grant_type"], Is.EqualTo("refresh_token"));

        await source.GetTokenAsync(new GraphTokenRequest(scopes) { Claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1702682181\"}}}" }, CancellationToken.None);
        Assert.That(endpoint.Posts, Is.EqualTo(3));
        Assert.That(endpoint.Forms[^1]["claims"], Does.Contain("1702682181").And.Contain("cp1"));
    }

    [Test]
    public void ForUser_RefreshTokenRejected_InteractionRequired()
    {
        var endpoint = new FakeEntraTokenEndpoint { DelegatedByDefault = true };
        var app = PublicClientApplicationBuilder.Create(Guid.NewGuid().ToString())
            .WithAuthority($"https://login.microsoftonline.com/{FakeEntraTokenEndpoint.Tenant}/")
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(endpoint, retryOnceOn5xx: false)
            .Build();
        var scopes = new[] { "https://graph.microsoft.com/User.Read" };
        ((IByRefreshToken)app).AcquireTokenByRefreshToken(scopes, "rt-initial").ExecuteAsync().GetAwaiter().GetResult();
        var account = app.GetAccountsAsync().GetAwaiter().GetResult().Single();
        endpoint.EnqueueError(HttpStatusCode.BadRequest, "invalid_grant", "The refresh token has been revoked.", 50173, suberror: "bad_token");

        var ex = Assert.CatchAsync<GraphAuthException>(async () =>
            await MsalTokenSource.ForUser(app, account).GetTokenAsync(new GraphTokenRequest(scopes) { ForceRefresh = true }, CancellationToken.None));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.InteractionRequired));
        Assert.That(ex.AadstsCode, Is.EqualTo("AADSTS50173"));
        Assert.That(ex.RequiresUserInteraction, Is.True);
    }
}
