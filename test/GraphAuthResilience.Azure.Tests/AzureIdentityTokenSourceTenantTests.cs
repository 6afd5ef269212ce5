using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GraphAuthResilience.Azure.Tests;

/// <summary>
/// <see cref="AzureIdentityTokenSource"/> with a per-request tenant, over a real <see cref="ClientSecretCredential"/>
/// whose transport is the in-process token endpoint: <see cref="TokenRequestContext.TenantId"/> carries the tenant, the
/// credential's <c>AdditionallyAllowedTenants</c> decide, and its refusal is named in the failure.
/// </summary>
public class AzureIdentityTokenSourceTenantTests
{
    private const string Customer = "0a0a0a0a-0000-4000-8000-00000000000a";

    private static ClientSecretCredential CreateCredential(FakeEntraTokenEndpoint endpoint, params string[] allowed)
    {
        var options = new ClientSecretCredentialOptions
        {
            Transport = new HttpClientTransport(endpoint.GetHttpClient()),
            DisableInstanceDiscovery = true,
            Retry = { Delay = TimeSpan.FromMilliseconds(5), MaxRetries = 2 },
        };
        foreach (var tenant in allowed)
        {
            options.AdditionallyAllowedTenants.Add(tenant);
        }

        return new ClientSecretCredential(FakeEntraTokenEndpoint.Tenant, FakeEntraTokenEndpoint.ClientId, FakeEntraTokenEndpoint.Secret, options);
    }

    private static (ServiceProvider Provider, HttpClient Client) CreateClient(IGraphTokenSource source, FakeGraph graph)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("graph").AddGraphAuthHandlers(o => o.TokenSource = source).ConfigurePrimaryHttpMessageHandler(() => graph);
        var provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph"));
    }

    private static HttpRequestMessage Get(string tenant) =>
        new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users").SetGraphTenant(tenant);

    [Test]
    public async Task FromCredential_AllowedCustomerTenant_TheTenantIsInTheTokenEndpointPath()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var graph = new FakeGraph();
        var (provider, client) = CreateClient(AzureIdentityTokenSource.FromCredential(CreateCredential(endpoint, Customer)), graph);
        using var _ = provider;

        using var first = await client.SendAsync(Get(Customer));
        using var second = await client.SendAsync(Get(Customer));

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(endpoint.Requests.Select(r => r.Tenant), Is.EqualTo(new[] { Customer }));
        Assert.That(graph.Requests, Has.Count.EqualTo(2));
        Assert.That(graph.Requests.All(r => r.Carries(endpoint.IssuedTokens.Single())), Is.True, "both sends carry the one token issued for the customer");
        Assert.That(graph.Requests[0].TokenInfo?.TenantId, Is.EqualTo(Customer));
    }

    [Test]
    public void FromCredential_TenantNotInAdditionallyAllowedTenants_FailureNamesTheSetting_NoTokenRequest()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        var graph = new FakeGraph();
        var (provider, client) = CreateClient(AzureIdentityTokenSource.FromCredential(CreateCredential(endpoint)), graph);
        using var _ = provider;

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await client.SendAsync(Get(Customer)));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.Message, Does.StartWith("ClientSecretCredential").And.Contain("AdditionallyAllowedTenants").And.Contain(Customer));
        Assert.That(ex.Remediation, Does.Contain("AdditionallyAllowedTenants").And.Contain("\"*\""));
        Assert.That(endpoint.Posts, Is.EqualTo(0), "the credential refused before asking the token endpoint");
        Assert.That(graph.Sends, Is.EqualTo(0));
    }

    [Test]
    public void FromCredential_CustomerTenantNotOnboarded_TenantNotOnboardedWithTheConsentLink()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(
            HttpStatusCode.BadRequest,
            "unauthorized_client",
            $"Application with identifier '{FakeEntraTokenEndpoint.ClientId}' was not found in the directory 'Fabrikam ({Customer})'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
            700016);
        var graph = new FakeGraph();
        var (provider, client) = CreateClient(AzureIdentityTokenSource.FromCredential(CreateCredential(endpoint, "*")), graph);
        using var _ = provider;

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await client.SendAsync(Get(Customer)));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TenantNotOnboarded));
        Assert.That(ex.Remediation, Does.Contain("AADSTS700016").And.Contain($"https://login.microsoftonline.com/{Customer}/adminconsent?client_id={FakeEntraTokenEndpoint.ClientId}"));
        Assert.That(ex.ToString() + ex.Remediation, Does.Not.Contain("Fabrikam").And.Not.Contain(FakeEntraTokenEndpoint.Secret));
    }

    [TestCase("   ")]
    [TestCase("eyJ0eXAiOiJKV1QifQ.e30.x\r\n")]
    public void FromCredential_CredentialReturningNoUsableToken_RefusedNamingTheCredential_NeverSent(string token)
    {
        var graph = new FakeGraph();
        var (provider, client) = CreateClient(AzureIdentityTokenSource.FromCredential(new FixedCredential(token)), graph);
        using var _ = provider;

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await client.GetAsync("https://graph.microsoft.com/v1.0/users"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
        Assert.That(ex.Message, Does.StartWith(nameof(FixedCredential)));
        Assert.That(graph.Sends, Is.EqualTo(0));
    }

    /// <summary>A credential that hands back one fixed value, as a misbehaving custom credential does.</summary>
    private sealed class FixedCredential(string token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(token, DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
