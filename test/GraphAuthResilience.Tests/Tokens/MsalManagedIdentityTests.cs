using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Challenges;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Identity.Client.AppConfig;

namespace GraphAuthResilience.Tests.Tokens;

/// <summary>
/// <see cref="MsalTokenSource.ForManagedIdentity(Microsoft.Identity.Client.IManagedIdentityApplication)"/> over a real
/// MSAL managed identity application and a fake endpoint. MSAL picks IMDS or App Service from environment variables:
/// these tests set them, never run beside another test, and restore them afterwards.
/// </summary>
[NonParallelizable]
public class MsalManagedIdentityTests
{
    private const string UsersUrl = "https://graph.microsoft.com/v1.0/users";

    public enum Form
    {
        Imds,
        AppService,
    }

    private static MsalTokenSourceOptions FastRetries() => new() { RetryDelay = TimeSpan.FromMilliseconds(5), AttemptTimeout = TimeSpan.FromSeconds(10) };

    private static IDisposable Use(Form form) => form == Form.AppService ? FakeManagedIdentityEndpoint.UseAppService() : FakeManagedIdentityEndpoint.UseImds();

    [TestCase(Form.Imds)]
    [TestCase(Form.AppService)]
    public async Task ForManagedIdentity_FiftyConcurrentColdRequests_OneEndpointRequestInTheFormMsalChose(Form form)
    {
        using var environment = Use(form);
        var endpoint = new FakeManagedIdentityEndpoint();
        var gate = new TaskCompletionSource();
        endpoint.Gate = gate.Task;
        using var harness = new ChainHarness(MsalTokenSource.ForManagedIdentity(endpoint.CreateApp(), FastRetries()));
        var client = harness.CreateClient();

        var sends = Enumerable.Range(0, 50).Select(_ => client.GetAsync(UsersUrl)).ToArray();
        await Task.Delay(50);
        gate.SetResult();
        var responses = await Task.WhenAll(sends);

        Assert.That(responses.All(r => r.StatusCode == HttpStatusCode.OK), Is.True);
        Assert.That(endpoint.Requests, Is.EqualTo(1));
        Assert.That(harness.Graph.Requests.Select(r => r.TokenHash).Distinct(), Is.EqualTo(new[] { FakeGraphRequest.HashToken(endpoint.IssuedTokens.Single()) }));
        var request = endpoint.Recorded.Single();
        Assert.That(request.Method, Is.EqualTo(HttpMethod.Get));
        Assert.That(request.Query["resource"], Is.EqualTo("https://graph.microsoft.com"), "MSAL turns the .default scope into the resource");
        if (form == Form.Imds)
        {
            Assert.That(request.Uri.GetLeftPart(UriPartial.Path), Is.EqualTo("http://169.254.169.254/metadata/identity/oauth2/token"));
            Assert.That(request.Query["api-version"], Is.EqualTo("2018-02-01"));
            Assert.That(request.Headers["Metadata"], Is.EqualTo("true"));
        }
        else
        {
            Assert.That(request.Uri.GetLeftPart(UriPartial.Path), Is.EqualTo(FakeManagedIdentityEndpoint.AppServiceEndpoint));
            Assert.That(request.Query["api-version"], Is.EqualTo("2019-08-01"));
            Assert.That(request.Headers["X-IDENTITY-HEADER"], Is.EqualTo(FakeManagedIdentityEndpoint.IdentityHeader));
        }
    }

    [TestCase(Form.Imds)]
    [TestCase(Form.AppService)]
    public async Task ForManagedIdentity_UserAssigned_RequestNamesTheIdentity(Form form)
    {
        using var environment = Use(form);
        var endpoint = new FakeManagedIdentityEndpoint();
        var clientId = Guid.NewGuid().ToString();
        var source = MsalTokenSource.ForManagedIdentity(endpoint.CreateApp(ManagedIdentityId.WithUserAssignedClientId(clientId)), FastRetries());

        var token = await source.GetTokenAsync(new GraphTokenRequest([GraphAuthOptions.DefaultScope]), CancellationToken.None);

        Assert.That(token.Value, Is.EqualTo(endpoint.IssuedTokens.Single()));
        Assert.That(endpoint.Recorded.Single().Query["client_id"], Is.EqualTo(clientId));
    }

    [TestCase(Form.Imds)]
    [TestCase(Form.AppService)]
    public async Task ForManagedIdentity_503Then429WithRetryAfter_RetriedUntilATokenComes(Form form)
    {
        using var environment = Use(form);
        var endpoint = new FakeManagedIdentityEndpoint();
        endpoint.EnqueueStatus(HttpStatusCode.ServiceUnavailable);
        endpoint.EnqueueStatus(HttpStatusCode.TooManyRequests, retryAfter: "1");
        using var logs = new FakeLoggerProvider();
        using var loggerFactory = new LoggerFactory([logs]);
        var options = FastRetries();
        options.LoggerFactory = loggerFactory;
        var source = MsalTokenSource.ForManagedIdentity(endpoint.CreateApp(), options);

        var token = await source.GetTokenAsync(new GraphTokenRequest([GraphAuthOptions.DefaultScope]), CancellationToken.None);

        Assert.That(token.Value, Is.EqualTo(endpoint.IssuedTokens.Single()));
        Assert.That(endpoint.Requests, Is.EqualTo(3));
        Assert.That(logs.Collector.GetSnapshot().Count(r => r.Id.Name == "TokenEndpointRetry"), Is.EqualTo(2), "the source's Polly pipeline did the two retries");
    }

    [TestCase(Form.Imds)]
    [TestCase(Form.AppService)]
    public async Task ForManagedIdentity_ClaimsChallenge_MetThroughMsalWithAFreshEndpointRequestAndReplayedOnce(Form form)
    {
        using var environment = Use(form);
        var endpoint = new FakeManagedIdentityEndpoint();
        using var harness = new ChainHarness(MsalTokenSource.ForManagedIdentity(endpoint.CreateApp(null, "cp1"), FastRetries()));
        var client = harness.CreateClient();
        await client.GetAsync(UsersUrl);
        var revoked = endpoint.IssuedTokens.Single();
        harness.Graph.Respond = (_, n) => n == 2 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted) : GraphResponses.Json(HttpStatusCode.OK, "{}");

        var response = await client.GetAsync(UsersUrl);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Requests, Is.EqualTo(2), "WithClaims bypassed MSAL's cache: one more request to the endpoint");
        var tokens = harness.Graph.Requests.Select(r => r.TokenHash).ToArray();
        Assert.That(tokens, Has.Length.EqualTo(3));
        Assert.That(tokens[1], Is.EqualTo(FakeGraphRequest.HashToken(revoked)));
        Assert.That(tokens[2], Is.EqualTo(FakeGraphRequest.HashToken(endpoint.IssuedTokens[^1])).And.Not.EqualTo(FakeGraphRequest.HashToken(revoked)));

        // What the managed identity request carried: IMDS and App Service take a resource only. The claims never travel
        // to the endpoint (MSAL met the challenge by skipping its cache).
        var replay = endpoint.Recorded[^1];
        Assert.That(replay.Query.Keys, Is.EquivalentTo(endpoint.Recorded[0].Query.Keys));
        Assert.That(replay.Query.Keys, Has.None.EqualTo("claims"));
        Assert.That(replay.Uri.Query, Does.Not.Contain("1702682181"));

        // Later requests without claims get the new token, not the revoked one.
        await client.GetAsync(UsersUrl);
        Assert.That(harness.Graph.Requests.Last().TokenHash, Is.EqualTo(tokens[2]));
    }

    [Test]
    public async Task ForManagedIdentity_CaeChallengeToAHundredConcurrentRequests_OneMoreEndpointRequest()
    {
        using var environment = Use(Form.AppService);
        var endpoint = new FakeManagedIdentityEndpoint();
        using var harness = new ChainHarness(MsalTokenSource.ForManagedIdentity(endpoint.CreateApp(null, "cp1"), FastRetries()));
        var client = harness.CreateClient();
        await client.GetAsync(UsersUrl);
        var revoked = endpoint.IssuedTokens.Single();
        harness.Graph.Respond = (request, _) => request.Headers.Authorization?.Parameter == revoked
            ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted)
            : GraphResponses.Ok();

        var responses = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.GetAsync(UsersUrl)));

        Assert.That(responses.All(r => r.StatusCode == HttpStatusCode.OK), Is.True);
        Assert.That(endpoint.Requests, Is.EqualTo(2), "the cold token, then one claims acquisition for the whole storm");
    }

    [Test]
    public async Task ForManagedIdentity_RejectedTokenAndEndpointServesItFromItsCache_OneForcedRequestThenInvalidToken()
    {
        using var environment = Use(Form.Imds);
        var endpoint = new FakeManagedIdentityEndpoint { CachesTokens = true };
        using var harness = new ChainHarness(MsalTokenSource.ForManagedIdentity(endpoint.CreateApp(), FastRetries()), o => o.ThrowOnAuthFailure = false);
        var client = harness.CreateClient();
        await client.GetAsync(UsersUrl);
        harness.Graph.Respond = (_, _) => GraphResponses.Json(
            HttpStatusCode.Unauthorized,
            """{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}""",
            ChallengeSamples.PlainGraph401);

        var response = await client.GetAsync(UsersUrl);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(endpoint.Requests, Is.EqualTo(2), "WithForceRefresh skipped MSAL's cache: one more request, and only one");
        Assert.That(harness.Graph.Sends, Is.EqualTo(3), "the first send, then one replay; never a loop");
        Assert.That(response.GetGraphAuthFailure()?.Cause, Is.EqualTo(GraphAuthFailureCause.ExpiredToken).Or.EqualTo(GraphAuthFailureCause.InvalidToken));
    }

    [Test]
    public void ForManagedIdentity_SeveralScopes_TypedFailureAndNoEndpointRequest()
    {
        using var environment = Use(Form.Imds);
        var endpoint = new FakeManagedIdentityEndpoint();
        var source = MsalTokenSource.ForManagedIdentity(endpoint.CreateApp(), FastRetries());

        var ex = Assert.CatchAsync<GraphAuthException>(async () =>
            await source.GetTokenAsync(new GraphTokenRequest(["https://graph.microsoft.com/User.Read", "https://graph.microsoft.com/Mail.Read"]), CancellationToken.None));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.Remediation, Does.Contain(".default"));
        Assert.That(endpoint.Requests, Is.EqualTo(0));
    }

    [Test]
    public void ForManagedIdentity_EndpointRefusesTheIdentity_TokenAcquisitionFailedWithoutTheEndpointText()
    {
        using var environment = Use(Form.AppService);
        var endpoint = new FakeManagedIdentityEndpoint();
        endpoint.Enqueue(_ => new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new StringContent("""{"statusCode":400,"message":"Unable to load the proper Managed Identity. secret-ish detail 42","correlationId":"c0ffee00-0000-4000-8000-000000000003"}""", System.Text.Encoding.UTF8, "application/json"),
        });
        var source = MsalTokenSource.ForManagedIdentity(endpoint.CreateApp(ManagedIdentityId.WithUserAssignedClientId("cccccccc-0000-4000-8000-000000000003")), FastRetries());

        var ex = Assert.CatchAsync<GraphAuthException>(async () =>
            await source.GetTokenAsync(new GraphTokenRequest([GraphAuthOptions.DefaultScope]), CancellationToken.None));

        TestContext.Out.WriteLine(ex!.ToString());
        TestContext.Out.WriteLine(ex.Remediation + " / " + ex.TokenEndpointError);
        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.ToString() + ex.Remediation, Does.Not.Contain("secret-ish detail"));
        Assert.That(ex.ToString(), Does.Not.Contain(FakeManagedIdentityEndpoint.IdentityHeader));
    }

    [Test]
    public void ForManagedIdentity_403ForAManagedIdentityToken_RemediationSaysRolesCanLagUpTo24Hours()
    {
        using var environment = Use(Form.Imds);
        var endpoint = new FakeManagedIdentityEndpoint();
        using var harness = new ChainHarness(MsalTokenSource.ForManagedIdentity(endpoint.CreateApp(), FastRetries()));
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Forbidden, Forbidden);

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/groups"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex.Remediation, Does.Contain("managed identity").And.Contain("24 hours").And.Contain("app role assignment"));
        Assert.That(ex.Remediation + ex.Message, Does.Not.Contain("graph-job"), "the identity's resource id is never quoted");
        Assert.That(endpoint.Requests, Is.EqualTo(1), "a 403 is not something a new token fixes");
    }

    [Test]
    public void Diagnosis_403ForAClientCredentialsToken_NoManagedIdentityNote()
    {
        var token = UnsignedJwt.AppOnly().WithRoles("User.Read.All").WithClaim("idtyp", "app").Build();
        using var harness = new ChainHarness(new FakeGraphTokenSource { TokenFactory = (_, _) => token });
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Forbidden, Forbidden);

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/groups"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(ex.Remediation, Does.Not.Contain("managed identity"));
    }

    private const string Forbidden = """{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"request-id":"4f1e3a2b-0000-4000-8000-000000000004","client-request-id":"4f1e3a2b-0000-4000-8000-000000000005"}}}""";

    [Test]
    public async Task ForManagedIdentity_PerRequestTenantOtherThanTheIdentitys_RefusedSayingTheTenantComesFromTheIdentity()
    {
        using var environment = Use(Form.Imds);
        var endpoint = new FakeManagedIdentityEndpoint();
        using var harness = new ChainHarness(MsalTokenSource.ForManagedIdentity(endpoint.CreateApp(), FastRetries()));
        var client = harness.CreateClient();
        const string Other = "0e0e0e0e-0000-4000-8000-00000000000e";

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, UsersUrl).SetGraphTenant(Other)));
        using var own = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, UsersUrl).SetGraphTenant(FakeEntraTokenEndpoint.Tenant));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.Message, Does.Contain("identity's own tenant").And.Contain(Other));
        Assert.That(harness.Graph.Requests.Select(r => r.TokenHash), Is.EqualTo(new[] { FakeGraphRequest.HashToken(endpoint.IssuedTokens.Last()) }), "only the request for the identity's own tenant was sent");
        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
