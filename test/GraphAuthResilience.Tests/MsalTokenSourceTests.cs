using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests;

public class MsalTokenSourceTests
{
    private static MsalTokenSourceOptions FastRetries() => new() { RetryDelay = TimeSpan.FromMilliseconds(5), AttemptTimeout = TimeSpan.FromSeconds(10) };

    [Test]
    public async Task ClientCredentials_FiftyConcurrentColdRequests_OneTokenPostAndEveryRequestCarriesIt()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var gate = new TaskCompletionSource();
        endpoint.Gate = gate.Task;
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), FastRetries()));
        var client = harness.CreateClient();

        var sends = Enumerable.Range(0, 50).Select(_ => client.GetAsync("https://graph.microsoft.com/v1.0/users")).ToArray();
        await Task.Delay(50);
        gate.SetResult();
        var responses = await Task.WhenAll(sends);

        Assert.That(responses.All(r => r.StatusCode == HttpStatusCode.OK), Is.True);
        Assert.That(endpoint.Posts, Is.EqualTo(1));
        var issued = endpoint.IssuedTokens.Single();
        Assert.That(harness.Graph.Requests.Select(r => r.TokenHash).Distinct(), Is.EqualTo(new[] { FakeGraphRequest.HashToken(issued) }));
        Assert.That(harness.Graph.Sends, Is.EqualTo(50));
    }

    [Test]
    public async Task ClientCredentials_TemporarilyUnavailableThenSuccess_IsRetriedAndSucceeds()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", "The service is temporarily unavailable.", 50000);
        var source = MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), FastRetries());

        var token = await source.GetTokenAsync(new GraphTokenRequest([GraphAuthOptions.DefaultScope]), CancellationToken.None);

        Assert.That(endpoint.Posts, Is.EqualTo(2));
        Assert.That(token.Value, Is.EqualTo(endpoint.IssuedTokens.Single()));
    }

    [Test]
    public async Task ClientCredentials_429WithRetryAfter_WaitsAndSucceeds()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError((HttpStatusCode)429, "temporarily_unavailable", "Too many requests.", 50196, retryAfter: "1");
        var source = MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), FastRetries());

        var token = await source.GetTokenAsync(new GraphTokenRequest([GraphAuthOptions.DefaultScope]), CancellationToken.None);

        Assert.That(endpoint.Posts, Is.EqualTo(2));
        Assert.That(token.Value, Is.Not.Empty);
    }

    [Test]
    public void ClientCredentials_InvalidClient_TokenAcquisitionFailedWithoutRetryOrSecret()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.Unauthorized, "invalid_client", "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'x'.", 7000215);
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), FastRetries()));

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.AadstsCode, Is.EqualTo("AADSTS7000215"));
        Assert.That(ex.TokenEndpointError, Is.EqualTo("invalid_client"));
        Assert.That(ex.Remediation, Does.Contain("secret"));
        Assert.That(endpoint.Posts, Is.LessThanOrEqualTo(1));
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));
        var text = ex.ToString() + ex.Message + ex.Remediation;
        Assert.That(text, Does.Not.Contain(FakeEntraTokenEndpoint.Secret));
        Assert.That(text, Does.Not.Contain("Trace ID"), "the token-endpoint body must not leak into the exception");
        Assert.That(text, Does.Not.Contain("Invalid client secret provided"));
    }

    [Test]
    public void ClientCredentials_ConditionalAccessBlock53003_PolicyRestrictedAndNothingSentToGraph()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.BadRequest, "interaction_required", "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", 53003, suberror: "message_only");
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), FastRetries()));

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me"));

        // A block policy is not met by an interactive sign-in of the same user on the same device: only the policy or the
        // device changes it, so it is the policy family, not interaction required.
        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.PolicyRestricted));
        Assert.That(ex, Is.InstanceOf<GraphAuthPermissionException>());
        Assert.That(ex.AadstsCode, Is.EqualTo("AADSTS53003"));
        Assert.That(ex.Scopes, Is.EqualTo(new[] { GraphAuthOptions.DefaultScope }));
        Assert.That(ex.Remediation, Does.Contain("conditional access").IgnoreCase);
        Assert.That(ex.Grants, Is.Empty, "no permission fixes a policy");
        Assert.That(harness.Graph.Sends, Is.EqualTo(0));
        Assert.That(endpoint.Posts, Is.EqualTo(1));
    }

    [Test]
    public void ClientCredentials_ConsentRequired65001_ConsentRequired()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.BadRequest, "invalid_grant", "The user or administrator has not consented to use the application.", 65001, suberror: "consent_required");
        var source = MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), FastRetries());

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await source.GetTokenAsync(new GraphTokenRequest([GraphAuthOptions.DefaultScope]), CancellationToken.None));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.ConsentRequired));
        Assert.That(ex.Remediation, Does.Contain("consent"));
    }

    [TestCase("unauthorized_client", 700016, GraphAuthFailureCause.TenantNotOnboarded, "client id")]
    [TestCase("invalid_tenant", 90002, GraphAuthFailureCause.TokenAcquisitionFailed, "tenant")]
    public void ClientCredentials_ConfigurationErrors_AreNotRetried(string error, int aadsts, GraphAuthFailureCause cause, string remedy)
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.BadRequest, error, "Configuration problem.", aadsts);
        var source = MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), FastRetries());

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await source.GetTokenAsync(new GraphTokenRequest([GraphAuthOptions.DefaultScope]), CancellationToken.None));

        Assert.That(ex!.Cause, Is.EqualTo(cause));
        Assert.That(ex.Remediation, Does.Contain(remedy));
        Assert.That(endpoint.Posts, Is.EqualTo(1));
    }

    [Test]
    public void ClientCredentials_PersistentOutage_RetriesAreBounded()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        for (var i = 0; i < 10; i++)
        {
            endpoint.EnqueueError(HttpStatusCode.InternalServerError, "server_error", "Internal failure.", 50000);
        }

        var options = FastRetries();
        options.MaxRetryAttempts = 2;
        var source = MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), options);

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await source.GetTokenAsync(new GraphTokenRequest([GraphAuthOptions.DefaultScope]), CancellationToken.None));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(endpoint.Posts, Is.EqualTo(3));
    }

    [Test]
    public async Task ClientCredentials_ClaimsAndForceRefresh_ReachTheTokenEndpoint()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var source = MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(null, "cp1"), FastRetries());
        var scopes = new[] { GraphAuthOptions.DefaultScope };
        await source.GetTokenAsync(new GraphTokenRequest(scopes), CancellationToken.None);
        await source.GetTokenAsync(new GraphTokenRequest(scopes), CancellationToken.None); // MSAL cache
        Assert.That(endpoint.Posts, Is.EqualTo(1));

        await source.GetTokenAsync(new GraphTokenRequest(scopes) { ForceRefresh = true }, CancellationToken.None);
        Assert.That(endpoint.Posts, Is.EqualTo(2));

        await source.GetTokenAsync(new GraphTokenRequest(scopes) { Claims = """{"access_token":{"nbf":{"essential":true,"value":"1702682181"}}}""" }, CancellationToken.None);
        Assert.That(endpoint.Posts, Is.EqualTo(3));
        Assert.That(endpoint.Forms[^1]["claims"], Does.Contain("1702682181").And.Contain("cp1"));
    }

    [Test]
    public void Factories_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => MsalTokenSource.ForClientCredentials(null!));
        Assert.Throws<ArgumentNullException>(() => MsalTokenSource.OnBehalfOf(new FakeEntraTokenEndpoint().CreateConfidentialClient(), null!));
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => MsalTokenSource.ForClientCredentials(new FakeEntraTokenEndpoint().CreateConfidentialClient(), new MsalTokenSourceOptions { MaxRetryAttempts = -1 }));
        Assert.That(ex!.Message, Does.Contain(nameof(MsalTokenSourceOptions.MaxRetryAttempts)));
    }
}
