using System.Net;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Graph;

namespace GraphAuthResilience.Azure.Tests;

/// <summary>
/// <see cref="AzureIdentityTokenSource"/> over a real <see cref="ClientSecretCredential"/> whose transport is an
/// in-process token endpoint, under a real <see cref="GraphServiceClient"/> built on the chain from DI.
/// </summary>
public class AzureIdentityTokenSourceTests
{
    private const string UserJson = """{"id":"6c5b4a39-0000-4000-8000-0000000000a1","displayName":"Adele"}""";

    private const string CaeChallenge = "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\", errorDescription=\"Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp\", error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTcwMjY4MjE4MSJ9fX0=\"";
    private const string CaeBody = """{"error":{"code":"InvalidAuthenticationToken","message":"Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp"}}""";

    /// <summary>A real credential whose transport is the in-process token endpoint: nothing can reach a network, and
    /// anything but a token POST (instance discovery, metadata) would throw there and fail the test.</summary>
    private static ClientSecretCredential CreateCredential(FakeEntraTokenEndpoint endpoint, string secret = FakeEntraTokenEndpoint.Secret) =>
        new(FakeEntraTokenEndpoint.Tenant, FakeEntraTokenEndpoint.ClientId, secret, new ClientSecretCredentialOptions
        {
            Transport = new HttpClientTransport(endpoint.GetHttpClient()),
            DisableInstanceDiscovery = true,
            Retry = { Delay = TimeSpan.FromMilliseconds(5), MaxRetries = 2 },
        });

    private static (ServiceProvider Provider, GraphServiceClient Graph) CreateGraph(IGraphTokenSource source, FakeGraph graph, Action<GraphAuthOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("graph")
            .AddGraphAuthHandlers(o =>
            {
                o.TokenSource = source;
                configure?.Invoke(o);
            })
            .ConfigurePrimaryHttpMessageHandler(() => graph);
        var provider = services.BuildServiceProvider();
        return (provider, new GraphServiceClient(provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph")));
    }

    [Test]
    public async Task FromCredential_ColdBurstOf200ThroughGraphServiceClient_OneTokenRequest()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var gate = new TaskCompletionSource();
        endpoint.Gate = gate.Task;
        var graph = new FakeGraph { Respond = (request, _) => GraphResponses.Ok(UserJson, request) };
        var (provider, client) = CreateGraph(AzureIdentityTokenSource.FromCredential(CreateCredential(endpoint)), graph);
        using var _ = provider;

        var calls = Enumerable.Range(0, 200).Select(_ => client.Me.GetAsync()).ToArray();
        await Task.Delay(50);
        gate.SetResult();
        var users = await Task.WhenAll(calls);

        Assert.That(users.All(u => u?.DisplayName == "Adele"), Is.True);
        Assert.That(endpoint.Posts, Is.EqualTo(1));
        Assert.That(graph.Sends, Is.EqualTo(200));
        Assert.That(graph.Requests.Select(r => r.TokenHash).Distinct(), Is.EqualTo(new[] { FakeGraphRequest.HashToken(endpoint.IssuedTokens.Single()) }));
        var form = endpoint.Forms.Single();
        Assert.That(endpoint.PostsWithClaims, Is.EqualTo(0), "cp1 alone is not a challenge's claims");
        Assert.That(form["grant_type"], Is.EqualTo("client_credentials"));
        Assert.That(form["scope"], Is.EqualTo("https://graph.microsoft.com/.default"));
        Assert.That(form["claims"], Does.Contain("cp1").IgnoreCase, "CAE enabled: the credential announces the cp1 capability");
    }

    [Test]
    public async Task FromCredential_CaeChallenge_TokenRequestCarriesTheClaimsAndTheCallSucceeds()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var graph = new FakeGraph { Respond = (request, _) => GraphResponses.Ok(UserJson, request) };
        var (provider, client) = CreateGraph(AzureIdentityTokenSource.FromCredential(CreateCredential(endpoint)), graph);
        using var _ = provider;
        await client.Me.GetAsync();
        var revoked = endpoint.IssuedTokens.Single();
        graph.Respond = (_, n) => n == 2 ? GraphResponses.Json(HttpStatusCode.Unauthorized, CaeBody, CaeChallenge) : GraphResponses.Json(HttpStatusCode.OK, UserJson);

        var me = await client.Me.GetAsync();

        Assert.That(me?.DisplayName, Is.EqualTo("Adele"));
        Assert.That(endpoint.Posts, Is.EqualTo(2), "the claims bypassed the credential's cache: one more token request");
        Assert.That(endpoint.PostsWithClaims, Is.EqualTo(1));
        using var claims = JsonDocument.Parse(endpoint.Requests[^1].Claims!);
        var accessToken = claims.RootElement.GetProperty("access_token");
        Assert.That(accessToken.GetProperty("nbf").GetProperty("value").GetString(), Is.EqualTo("1702682181"));
        Assert.That(accessToken.GetProperty("xms_cc").GetProperty("values")[0].GetString(), Is.EqualTo("cp1").IgnoreCase);
        var tokens = graph.Requests.Select(r => r.TokenHash).ToArray();
        Assert.That(tokens, Has.Length.EqualTo(3));
        Assert.That(tokens[1], Is.EqualTo(FakeGraphRequest.HashToken(revoked)));
        Assert.That(tokens[2], Is.EqualTo(FakeGraphRequest.HashToken(endpoint.IssuedTokens.Last())).And.Not.EqualTo(FakeGraphRequest.HashToken(revoked)));
    }

    [Test]
    public async Task FromCredential_CaeChallengeToAHundredConcurrentRequests_OneTokenRequestWithTheClaims()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var graph = new FakeGraph { Respond = (request, _) => GraphResponses.Ok(UserJson, request) };
        var (provider, client) = CreateGraph(AzureIdentityTokenSource.FromCredential(CreateCredential(endpoint)), graph);
        using var _ = provider;
        await client.Me.GetAsync();
        var revoked = endpoint.IssuedTokens.Single();
        graph.Respond = (request, _) => request.Headers.Authorization?.Parameter == revoked
            ? GraphResponses.Json(HttpStatusCode.Unauthorized, CaeBody, CaeChallenge)
            : GraphResponses.Json(HttpStatusCode.OK, UserJson);

        var users = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.Me.GetAsync()));

        Assert.That(users.All(u => u?.DisplayName == "Adele"), Is.True);
        Assert.That(endpoint.Posts, Is.EqualTo(2), "the cold token, then one claims acquisition for the whole storm");
        Assert.That(endpoint.PostsWithClaims, Is.EqualTo(1));
    }

    [Test]
    public void FromCredential_InvalidSecret_TypedCauseNamingTheCredentialAndNoSecretInAnyText()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.Unauthorized, "invalid_client", "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'aaaaaaaa-1111-4000-8000-000000000001'.", 7000215);
        var graph = new FakeGraph { Respond = (request, _) => GraphResponses.Ok(UserJson, request) };
        var (provider, client) = CreateGraph(AzureIdentityTokenSource.FromCredential(CreateCredential(endpoint, FakeEntraTokenEndpoint.Secret + "-wrong")), graph);
        using var _ = provider;

        var ex = Assert.CatchAsync<GraphAuthException>(() => client.Me.GetAsync());

        Assert.That(ex, Is.InstanceOf<GraphAuthTokenException>());
        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.AadstsCode, Is.EqualTo("AADSTS7000215"));
        Assert.That(ex.Remediation, Does.StartWith("ClientSecretCredential failed").And.Contain("secret's Value"));
        Assert.That(graph.Sends, Is.EqualTo(0));
        var text = string.Join('\n', ex.ToString(), ex.Message, ex.Remediation, ex.InnerException?.ToString() ?? string.Empty);
        Assert.That(text, Does.Not.Contain(FakeEntraTokenEndpoint.Secret));
        Assert.That(text, Does.Not.Contain("Invalid client secret provided"), "the token endpoint's text never reaches the exception");
        Assert.That(text, Does.Not.Contain("Trace ID"));
    }

    [Test]
    public async Task FromCredential_RefreshInFromTheEndpoint_BecomesRefreshOn()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueToken(refreshIn: 1800);
        var source = AzureIdentityTokenSource.FromCredential(CreateCredential(endpoint));

        var token = await source.GetTokenAsync(new GraphTokenRequest(["https://graph.microsoft.com/.default"]), CancellationToken.None);

        Assert.That(token.Value, Is.EqualTo(endpoint.IssuedTokens.Single()));
        Assert.That(token.RefreshOn, Is.Not.Null);
        Assert.That(token.RefreshOn!.Value, Is.EqualTo(DateTimeOffset.UtcNow.AddSeconds(1800)).Within(TimeSpan.FromMinutes(2)));
        Assert.That(token.ExpiresOn, Is.EqualTo(DateTimeOffset.UtcNow.AddSeconds(3599)).Within(TimeSpan.FromMinutes(2)));
    }

    [Test]
    public async Task FromCredential_ForceRefreshWithoutClaims_CredentialAnswersFromItsCache()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var source = AzureIdentityTokenSource.FromCredential(CreateCredential(endpoint));
        var scopes = new[] { "https://graph.microsoft.com/.default" };
        var first = await source.GetTokenAsync(new GraphTokenRequest(scopes), CancellationToken.None);

        var forced = await source.GetTokenAsync(new GraphTokenRequest(scopes) { ForceRefresh = true }, CancellationToken.None);

        // A TokenCredential has no force-refresh switch: this is what the README says ForceRefresh means here.
        Assert.That(endpoint.Posts, Is.EqualTo(1));
        Assert.That(forced.Value, Is.EqualTo(first.Value));
    }

    [Test]
    public void FromCredential_ChainWithNothingConfigured_TypedCauseNamingEachCredential()
    {
        var workload = new WorkloadIdentityCredential(new WorkloadIdentityCredentialOptions { TenantId = null, ClientId = null, TokenFilePath = null });
        var environment = new EnvironmentCredential(new EnvironmentCredentialOptions { Transport = new HttpClientTransport(new FakeEntraTokenEndpoint().GetHttpClient()) });
        var source = AzureIdentityTokenSource.FromCredential(new ChainedTokenCredential(workload, environment));

        var ex = Assert.CatchAsync<GraphAuthException>(async () =>
            await source.GetTokenAsync(new GraphTokenRequest(["https://graph.microsoft.com/.default"]), CancellationToken.None));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.TokenEndpointError, Is.EqualTo("credential_unavailable"));
        Assert.That(ex.Message, Does.StartWith("ChainedTokenCredential"));
        Assert.That(ex.Remediation, Does.Contain("WorkloadIdentityCredential").And.Contain("EnvironmentCredential"));
    }

    [Test]
    public void FromCredential_FailureQuotingTenMegabytesOfEndpointText_TypedFailureFromTheStartOfTheMessageOnly()
    {
        var tail = string.Concat(Enumerable.Repeat(" Aaaaaaaaaa Bbbbbbbbbb", 500_000)) + " LeakedTailCredential secret-value-123";
        var credential = new ThrowingCredential(new AuthenticationFailedException(
            "ClientSecretCredential authentication failed: AADSTS7000215: Invalid client secret provided." + tail));
        var source = AzureIdentityTokenSource.FromCredential(credential);

        var ex = Assert.CatchAsync<GraphAuthException>(async () =>
            await source.GetTokenAsync(new GraphTokenRequest(["https://graph.microsoft.com/.default"]), CancellationToken.None));

        Assert.That(ex, Is.InstanceOf<GraphAuthTokenException>());
        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.AadstsCode, Is.EqualTo("AADSTS7000215"));
        Assert.That(ex.Message, Does.StartWith("ThrowingCredential (ClientSecretCredential)"));
        var text = string.Join('\n', ex.ToString(), ex.Message, ex.Remediation);
        Assert.That(text, Does.Not.Contain("LeakedTailCredential").And.Not.Contain("secret-value-123").And.Not.Contain("Invalid client secret provided"));
    }

    /// <summary>A credential whose every request fails with the given exception.</summary>
    private sealed class ThrowingCredential(Exception failure) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw failure;

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => throw failure;
    }

    [Test]
    public void FromCredential_Null_Throws() =>
        Assert.Throws<ArgumentNullException>(() => AzureIdentityTokenSource.FromCredential(null!));
}
