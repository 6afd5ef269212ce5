using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Tokens;

/// <summary>
/// A customer tenant that has not onboarded the app, through real MSAL over the fake token endpoint: AADSTS700016,
/// AADSTS65001 and AADSTS90094 for a customer tenant are <see cref="GraphAuthFailureCause.TenantNotOnboarded"/> with
/// that tenant's admin consent link, told apart from the app's own misconfiguration. The texts are Entra ID's
/// (learn.microsoft.com/entra/identity-platform/reference-error-codes, and
/// learn.microsoft.com/entra/identity/enterprise-apps/application-sign-in-unexpected-user-consent-error for 90094);
/// the ids and names are made up.
/// </summary>
public class TokenSourceErrorsOnboardingTests
{
    private const string Customer = "0c0c0c0c-0000-4000-8000-00000000000c";
    private const string AppId = FakeEntraTokenEndpoint.ClientId;

    private static readonly string NotFound700016 = $"Application with identifier '{AppId}' was not found in the directory 'Fabrikam ({Customer})'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.";
    private static readonly string NoConsent65001 = $"The user or administrator has not consented to use the application with ID '{AppId}' named 'Contoso Reports'. Send an interactive authorization request for this user and resource.";
    private const string AdminOnly90094 = "Contoso Reports needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.";

    private static MsalTokenSourceOptions FastRetries() => new() { RetryDelay = TimeSpan.FromMilliseconds(5), AttemptTimeout = TimeSpan.FromSeconds(10) };

    private static void Enqueue(FakeEntraTokenEndpoint endpoint, int aadsts)
    {
        switch (aadsts)
        {
            case 700016:
                endpoint.EnqueueError(HttpStatusCode.BadRequest, "unauthorized_client", NotFound700016, 700016);
                break;
            case 65001:
                endpoint.EnqueueError(HttpStatusCode.BadRequest, "invalid_grant", NoConsent65001, 65001, suberror: "consent_required");
                break;
            default:
                endpoint.EnqueueError(HttpStatusCode.BadRequest, "invalid_grant", AdminOnly90094, 90094, suberror: "consent_required");
                break;
        }
    }

    [TestCase(700016, "has no service principal")]
    [TestCase(65001, "nobody has consented")]
    [TestCase(90094, "an administrator's consent")]
    public void CustomerTenant_OnboardingCode_TenantNotOnboardedWithTheTenantsAdminConsentLink(int aadsts, string what)
    {
        var endpoint = new FakeEntraTokenEndpoint();
        Enqueue(endpoint, aadsts);
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(AppId), FastRetries()));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users").SetGraphTenant(Customer);

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await harness.CreateClient().SendAsync(request));

        var consent = $"https://login.microsoftonline.com/{Customer}/adminconsent?client_id={AppId}";
        TestContext.Out.WriteLine($"{ex!.Cause} ({ex.Confidence}): {ex.Message}\n  {ex.Remediation}");
        Assert.Multiple(() =>
        {
            Assert.That(endpoint.Requests.Single().Tenant, Is.EqualTo(Customer));
            Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TenantNotOnboarded));
            Assert.That(ex.Confidence, Is.EqualTo(GraphAuthConfidence.High));
            Assert.That(ex.AadstsCode, Is.EqualTo($"AADSTS{aadsts}"));
            Assert.That(ex.Message, Does.Contain(Customer).And.Contain("has not onboarded").And.Contain(what));
            Assert.That(ex.Remediation, Does.Contain($"AADSTS{aadsts}").And.Contain("This customer has not onboarded").And.Contain("not at fault").And.Contain(consent));
            Assert.That(ex.HelpLinks[0].ToString(), Is.EqualTo(consent));
            Assert.That(ex.Evidence, Has.Some.Contain("customer tenant").And.Some.Contain(FakeEntraTokenEndpoint.Tenant));
            Assert.That(ex.ToString() + ex.Remediation, Does.Not.Contain("Contoso Reports").And.Not.Contain(FakeEntraTokenEndpoint.Secret), "nothing of the endpoint's text but the code and ids");
            Assert.That(harness.Graph.Sends, Is.EqualTo(0));
        });
    }

    [Test]
    public async Task CustomerTenantNotOnboarded_OtherTenantsServed()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.DefaultAnswer = r => r.Tenant == Customer
            ? FakeEntraTokenEndpoint.ErrorResponse(HttpStatusCode.BadRequest, "unauthorized_client", NotFound700016, 700016)
            : FakeEntraTokenEndpoint.TokenResponse(endpoint.NextToken(r.Tenant));
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(AppId), FastRetries()));
        var client = harness.CreateClient();

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users").SetGraphTenant(Customer)));
        using var other = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users").SetGraphTenant("0d0d0d0d-0000-4000-8000-00000000000d"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.TenantNotOnboarded));
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void AppsOwnTenant_700016_SaysTheAppMayBeMisconfigured_MediumConfidence()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        Enqueue(endpoint, 700016);
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(AppId), FastRetries()));

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users"));

        TestContext.Out.WriteLine($"{ex!.Cause} ({ex.Confidence}): {ex.Message}\n  {ex.Remediation}");
        Assert.Multiple(() =>
        {
            Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TenantNotOnboarded));
            Assert.That(ex.Confidence, Is.EqualTo(GraphAuthConfidence.Medium));
            Assert.That(ex.AlternativeCauses, Is.EqualTo(new[] { GraphAuthFailureCause.TokenAcquisitionFailed }));
            Assert.That(ex.Remediation, Does.Contain("AADSTS700016").And.Contain("your app is misconfigured").And.Contain("client id")
                .And.Contain($"https://login.microsoftonline.com/{FakeEntraTokenEndpoint.Tenant}/adminconsent?client_id={AppId}"));
        });
    }

    [TestCase(65001)]
    [TestCase(90094)]
    public void AppsOwnTenant_ConsentCodes_StayConsentRequired(int aadsts)
    {
        var endpoint = new FakeEntraTokenEndpoint();
        Enqueue(endpoint, aadsts);
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(AppId), FastRetries()));

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.ConsentRequired));
    }

    [Test]
    public void ExplicitlyTheAppsOwnTenant_ConsentCodeIsNotACustomerOnboarding()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        Enqueue(endpoint, 65001);
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(AppId), FastRetries()));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users").SetGraphTenant(FakeEntraTokenEndpoint.Tenant);

        var ex = Assert.CatchAsync<GraphAuthException>(async () => await harness.CreateClient().SendAsync(request));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.ConsentRequired));
    }
}
