using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Tests.Tokens;

/// <summary>
/// Many customer tenants through one client: the request's tenant (<c>SetGraphTenant</c>, else
/// <see cref="GraphAuthOptions.TenantResolver"/>) reaches real MSAL's token endpoint path, selects its own cache entry,
/// single flight and 401 refresh, and a token of another tenant is never attached.
/// </summary>
public class GraphTokenHandlerTenantTests
{
    private const string TenantA = "0a0a0a0a-0000-4000-8000-00000000000a";
    private const string TenantB = "0b0b0b0b-0000-4000-8000-00000000000b";

    private static MsalTokenSourceOptions FastRetries() => new() { RetryDelay = TimeSpan.FromMilliseconds(5), AttemptTimeout = TimeSpan.FromSeconds(10) };

    private static HttpRequestMessage Get(string? tenant)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users?for=" + (tenant ?? "home"));
        return tenant is null ? request : request.SetGraphTenant(tenant);
    }

    private static string Tid(string token) => GraphTokenInfo.TryParse(token, out var info) ? info.TenantId! : "(not a JWT)";

    private static string Tid(FakeGraphRequest sent) => sent.TokenInfo?.TenantId ?? "(not a JWT)";

    private static string TenantTheRequestWasFor(FakeGraphRequest sent) => sent.Uri.Query["?for=".Length..];

    [Test]
    public async Task SetGraphTenant_RealMsalClientSecret_TheTenantIsInTheTokenEndpointPathAndTheSentTokenIsOfIt()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), FastRetries()));
        var client = harness.CreateClient();

        using var first = await client.SendAsync(Get(TenantA));
        using var again = await client.SendAsync(Get(TenantA));
        using var home = await client.SendAsync(Get(null));

        Assert.That(endpoint.Requests.Select(r => r.Tenant), Is.EqualTo(new[] { TenantA, FakeEntraTokenEndpoint.Tenant }), "one POST per tenant, to the tenant's own path");
        Assert.That(harness.Graph.Requests.Select(r => Tid(r)), Is.EqualTo(new[] { TenantA, TenantA, FakeEntraTokenEndpoint.Tenant }));
    }

    [Test]
    public async Task SetGraphTenant_RealMsalCertificate_TheTenantIsInTheTokenEndpointPath()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=graph-auth-tenant-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var app = ConfidentialClientApplicationBuilder.Create(Guid.NewGuid().ToString())
            .WithAuthority($"https://login.microsoftonline.com/{FakeEntraTokenEndpoint.Tenant}/")
            .WithCertificate(certificate)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(endpoint, retryOnceOn5xx: false)
            .Build();
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(app, FastRetries()));

        using var response = await harness.CreateClient().SendAsync(Get(TenantB));

        var post = endpoint.Requests.Single();
        Assert.That(post.Tenant, Is.EqualTo(TenantB));
        Assert.That(post.Form["client_assertion_type"], Is.EqualTo("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), "signed with the certificate");
        Assert.That(Tid(harness.Graph.Requests.Single()), Is.EqualTo(TenantB));
    }

    [Test]
    public async Task SetGraphTenant_RealMsalClientAssertion_TheAssertionCallbackIsAskedForTheTenantsTokenEndpoint()
    {
        // Workload identity: the federated token is the client assertion; MSAL tells the callback which endpoint it is for.
        var endpoint = new FakeEntraTokenEndpoint();
        var audiences = new ConcurrentQueue<string>();
        var app = ConfidentialClientApplicationBuilder.Create(Guid.NewGuid().ToString())
            .WithAuthority($"https://login.microsoftonline.com/{FakeEntraTokenEndpoint.Tenant}/")
            .WithClientAssertion((AssertionRequestOptions options) =>
            {
                audiences.Enqueue(options.TokenEndpoint);
                return Task.FromResult(UnsignedJwt.AppOnly().WithAudience("api://AzureADTokenExchange").Build());
            })
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(endpoint, retryOnceOn5xx: false)
            .Build();
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(app, FastRetries()));

        using var response = await harness.CreateClient().SendAsync(Get(TenantA));

        Assert.That(endpoint.Requests.Single().Tenant, Is.EqualTo(TenantA));
        Assert.That(audiences.Single(), Does.Contain("/" + TenantA + "/"));
        Assert.That(Tid(harness.Graph.Requests.Single()), Is.EqualTo(TenantA));
    }

    [Test]
    public async Task TenantResolver_PicksTheTenantAndSetGraphTenantWins()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new ChainHarness(
            MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), FastRetries()),
            o => o.TenantResolver = _ => TenantA.ToUpperInvariant());
        var client = harness.CreateClient();

        using var resolved = await client.SendAsync(Get(null));
        using var explicitTenant = await client.SendAsync(Get(TenantB));

        Assert.That(endpoint.Requests.Select(r => r.Tenant), Is.EqualTo(new[] { TenantA, TenantB }), "the resolver's GUID in canonical form; SetGraphTenant over the resolver");
        Assert.That(harness.Graph.Requests.Select(r => Tid(r)), Is.EqualTo(new[] { TenantA, TenantB }));
    }

    [Test]
    public async Task ThousandTenantsConcurrently_OnePostPerTenantCold_NoneWarm_EverySentTokenIsOfTheRequestsTenant()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var gate = new TaskCompletionSource();
        endpoint.Gate = gate.Task;
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), FastRetries()));
        var client = harness.CreateClient();
        var tenants = Enumerable.Range(0, 1000).Select(i => new Guid(i, 0, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 1).ToString("D")).ToArray();

        // Cold: two requests per tenant, all at once, while the token endpoint holds every answer.
        var cold = tenants.Concat(tenants).Select(async t => { using var r = await client.SendAsync(Get(t)); return r.StatusCode; }).ToArray();
        await Task.Delay(100);
        gate.SetResult();
        Assert.That(await Task.WhenAll(cold), Has.All.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Posts, Is.EqualTo(1000), "one token POST per tenant, whatever the concurrency");
        Assert.That(endpoint.Requests.Select(r => r.Tenant).Distinct().Count(), Is.EqualTo(1000));

        var warm = tenants.Select(async t => { using var r = await client.SendAsync(Get(t)); return r.StatusCode; }).ToArray();
        Assert.That(await Task.WhenAll(warm), Has.All.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Posts, Is.EqualTo(1000), "warm: no token POST");

        var sent = harness.Graph.Requests.ToArray();
        Assert.That(sent, Has.Length.EqualTo(3000));
        Assert.That(sent.Where(r => Tid(r) != TenantTheRequestWasFor(r)), Is.Empty, "every token's tid is the request's tenant");
    }

    [Test]
    public async Task ThousandTenants_CacheBoundedByTokenCacheSize()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T08:00:00Z"));
        var source = new FakeGraphTokenSource(time) { TokenFactory = (request, n) => UnsignedJwt.AppOnly().WithTenant(request.TenantId!).WithClaim("uti", $"t{n}").Build() };
        using var cache = new GraphTokenCache(source, time, TimeSpan.FromMinutes(5), NullLogger.Instance, maxEntries: 100);
        var scopes = GraphScopeSet.From([GraphAuthOptions.DefaultScope]);

        for (var i = 0; i < 1000; i++)
        {
            var tenant = new Guid(i, 0, 0x4000, 0x80, 0, 0, 0, 0, 0, 0, 2).ToString("D");
            var token = await cache.GetTokenAsync(cache.TenantPartition(tenant), scopes, CancellationToken.None);
            Assert.That(Tid(token.Value), Is.EqualTo(tenant));
        }

        Assert.That(cache.Count, Is.LessThanOrEqualTo(100));
        Assert.That(source.Requests.Select(r => r.TenantId).Distinct().Count(), Is.EqualTo(1000));
    }

    [Test]
    public void SourceAnsweringWithAnotherTenantsToken_RefusedAsTypedFailure_NothingSent()
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, n) => UnsignedJwt.AppOnly().WithTenant(TenantB).WithClaim("uti", $"b{n}").Build() };
        using var harness = new ChainHarness(source);

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await harness.CreateClient().SendAsync(Get(TenantA)));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.Message, Does.Contain(TenantA).And.Contain(TenantB).And.Contain("not sent"));
        Assert.That(source.Requests.Single().TenantId, Is.EqualTo(TenantA), "the source was asked for the request's tenant");
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));
    }

    [Test]
    public async Task DomainTenant_PinnedToTheFirstTokensTid_ALaterTokenOfAnotherTenantRefused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T08:00:00Z"));
        var tids = new Queue<string>([TenantA, TenantB]);
        var source = new FakeGraphTokenSource(time) { TokenFactory = (_, n) => UnsignedJwt.AppOnly().WithTenant(tids.Dequeue()).WithClaim("uti", $"d{n}").Build() };
        using var harness = new ChainHarness(source, services: s => s.AddSingleton<TimeProvider>(time));
        var client = harness.CreateClient();

        using var first = await client.SendAsync(Get("Contoso.OnMicrosoft.com"));
        time.Advance(TimeSpan.FromHours(2));
        var ex = Assert.CatchAsync<GraphAuthException>(async () => await client.SendAsync(Get("contoso.onmicrosoft.com")));

        Assert.That(source.Requests.Select(r => r.TenantId), Is.EqualTo(new[] { "contoso.onmicrosoft.com", "contoso.onmicrosoft.com" }));
        Assert.That(ex!.Message, Does.Contain(TenantA).And.Contain(TenantB));
        Assert.That(harness.Graph.Sends, Is.EqualTo(1));
    }

    [TestCase("common")]
    [TestCase("organizations")]
    [TestCase("consumers")]
    [TestCase("")]
    [TestCase(" ")]
    [TestCase("contoso")]
    [TestCase("https://login.microsoftonline.com/contoso.com")]
    [TestCase("contoso.com/../evil")]
    [TestCase("10.0.0.1")]
    [TestCase("contoso.com\r\nX-Injected: 1")]
    [TestCase("{0a0a0a0a-0000-4000-8000-00000000000a}")]
    public void SetGraphTenant_NotAGuidOrADomain_RefusedBeforeAnyTokenWork(string tenant)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");

        Assert.Throws<ArgumentException>(() => request.SetGraphTenant(tenant));
        Assert.That(request.GetGraphTenant(), Is.Null);
    }

    [TestCase("common")]
    [TestCase("contoso.com\r\nX-Injected: 1")]
    [TestCase("../other")]
    public void TenantResolver_ReturningNoTenant_TypedFailureBeforeAnyTokenWork_ValueEscaped(string tenant)
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o => o.TenantResolver = _ => tenant);

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.Message, Does.Contain("TenantResolver").And.Not.Contain("\r").And.Not.Contain("\n"));
        Assert.That(source.CallCount, Is.EqualTo(0));
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));
    }

    [Test]
    public void TenantResolver_Throwing_TypedFailureWithTheApplicationsException()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o => o.TenantResolver = _ => throw new InvalidOperationException("no ambient tenant"));

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users"));

        Assert.That(ex!.InnerException, Is.TypeOf<InvalidOperationException>());
        Assert.That(source.CallCount, Is.EqualTo(0));
    }

    [Test]
    public async Task RevokedTokenOfOneTenant_401RefreshesThatTenantOnly()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), FastRetries()));
        var client = harness.CreateClient();
        using (await client.SendAsync(Get(TenantA)))
        using (await client.SendAsync(Get(TenantB)))
        {
        }

        var revokedHash = harness.Graph.Requests[0].TokenHash;
        harness.Graph.Respond = (request, _) => FakeGraphRequest.HashToken(request.Headers.Authorization?.Parameter) == revokedHash
            ? GraphResponses.Json(HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}""", "Bearer realm=\"\", error=\"invalid_token\"")
            : GraphResponses.Json(HttpStatusCode.OK, "{}");
        using var a = await client.SendAsync(Get(TenantA));
        using var b = await client.SendAsync(Get(TenantB));

        Assert.That(a.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Requests.Select(r => r.Tenant), Is.EqualTo(new[] { TenantA, TenantB, TenantA }), "one forced refresh, for tenant A");
        var sent = harness.Graph.Requests.ToArray();
        Assert.That(Tid(sent[^2]), Is.EqualTo(TenantA), "the replay carries tenant A's new token");
        Assert.That(sent[^1].TokenHash, Is.EqualTo(sent[1].TokenHash), "tenant B's token is untouched");
    }

    [Test]
    public async Task ClaimsChallengeInOneTenant_MetWithThatTenantsToken()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(null, "cp1"), FastRetries()));
        var client = harness.CreateClient();
        harness.Graph.Respond = (_, n) => n == 1
            ? GraphResponses.Json(HttpStatusCode.Unauthorized, """{"error":{"code":"InvalidAuthenticationToken","message":"Continuous access evaluation resulted in challenge"}}""", "Bearer realm=\"\", error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTcwMjY4MjE4MSJ9fX0=\"")
            : GraphResponses.Json(HttpStatusCode.OK, "{}");

        using var response = await client.SendAsync(Get(TenantB));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Requests.Select(r => (r.Tenant, r.HasChallengeClaims)), Is.EqualTo(new[] { (TenantB, false), (TenantB, true) }));
        Assert.That(harness.Graph.Requests.Select(r => Tid(r)), Is.EqualTo(new[] { TenantB, TenantB }));
    }

    [Test]
    public void OnBehalfOf_TenantOtherThanTheUsers_RefusedSayingTheTenantComesFromTheUsersToken()
    {
        var endpoint = new FakeEntraTokenEndpoint { DelegatedByDefault = true };
        var assertion = UnsignedJwt.Delegated("access_as_user").WithTenant(TenantA).WithAudience("api://my-api").Build();
        using var harness = new ChainHarness(MsalTokenSource.OnBehalfOf(endpoint.CreateConfidentialClient(), _ => ValueTask.FromResult(assertion), FastRetries()));

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await harness.CreateClient().SendAsync(Get(TenantB)));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.Message, Does.Contain("user's own token").And.Contain(TenantA).And.Contain(TenantB));
        Assert.That(endpoint.Posts, Is.EqualTo(0));
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));
    }

    [Test]
    public async Task OnBehalfOf_TheUsersOwnTenant_Served()
    {
        var endpoint = new FakeEntraTokenEndpoint { DelegatedByDefault = true };
        var assertion = UnsignedJwt.Delegated("access_as_user").WithTenant(TenantA).WithAudience("api://my-api").Build();
        using var harness = new ChainHarness(MsalTokenSource.OnBehalfOf(endpoint.CreateConfidentialClient(), _ => ValueTask.FromResult(assertion), FastRetries()));

        using var response = await harness.CreateClient().SendAsync(Get(TenantA));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Posts, Is.EqualTo(1));
    }

    [Test]
    public void WhitespaceOnlyToken_RefusedAsTheSourcesFailure_NeverSent()
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, _) => "   " };
        using var harness = new ChainHarness(source);

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.Message, Does.Contain(nameof(FakeGraphTokenSource)).And.Contain("white space"));
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));
        Assert.That(source.CallCount, Is.EqualTo(1), "refused once, not sent and refreshed");
    }

    [TestCase("eyJ0eXAiOiJKV1QifQ.e30.\r\nX-Injected: 1")]
    [TestCase("abc\u0000def")]
    [TestCase("\t")]
    public void ControlCharacterToken_RefusedAsTheSourcesFailure_NeverSent(string token)
    {
        var source = new FakeGraphTokenSource { TokenFactory = (_, _) => token };
        using var harness = new ChainHarness(source);

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.Message, Does.Contain(nameof(FakeGraphTokenSource)));
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));
    }
}
