using System.Net;
using System.Text;
using System.Text.Json;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>
/// ConsentRequired and InteractionRequired come from the token source: a real MSAL application over the fake
/// token endpoint, behind the DI-built chain. Nothing reaches Graph.
/// </summary>
public class TokenSourceCauseChainTests
{
    private const string MfaClaims = "{\"access_token\":{\"polids\":{\"essential\":true,\"Values\":[\"5ce17a11-a2a5-4b1e-9ff7-0f3c0a1b2c3d\"]}}}";

    private static MsalTokenSourceOptions FastRetries() => new() { RetryDelay = TimeSpan.FromMilliseconds(5), AttemptTimeout = TimeSpan.FromSeconds(10) };

    [Test]
    public void SendAsync_ClientCredentialsWithoutConsent65001_ConsentRequiredAndGraphNeverCalled()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.BadRequest, "invalid_grant", "The user or administrator has not consented to use the application with ID 'x' named 'y'. Send an interactive authorization request for this user and resource.", 65001, suberror: "consent_required");
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), FastRetries()));

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.ConsentRequired));
        Assert.That(ex.AadstsCode, Is.EqualTo("AADSTS65001"));
        Assert.That(ex.Remediation, Does.Contain("consent"));
        Assert.That(ex.Scopes, Is.EqualTo(new[] { GraphAuthOptions.DefaultScope }));
        Assert.That(ex.HelpLinks.Select(l => l.ToString()), Does.Contain("https://learn.microsoft.com/entra/identity-platform/permissions-consent-overview"));
        Assert.That(harness.Graph.Sends, Is.Zero);
        Assert.That(ex.ToString(), Does.Not.Contain(FakeEntraTokenEndpoint.Secret));
    }

    [Test]
    public void SendAsync_OnBehalfOfMfaEnrollment50079WithClaims_InteractionRequiredCarryingTheClaims()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.Enqueue(_ => ErrorWithClaims(50079, "interaction_required", "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication.", MfaClaims));
        var incoming = UnsignedJwt.Delegated("access_as_user").WithAudience("api://my-api").Build();
        var source = MsalTokenSource.OnBehalfOf(endpoint.CreateConfidentialClient(), _ => ValueTask.FromResult(incoming), FastRetries());
        using var harness = new ChainHarness(source);

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.InteractionRequired));
        Assert.That(ex.AadstsCode, Is.EqualTo("AADSTS50079"));
        Assert.That(ex.Claims, Is.EqualTo(MfaClaims));
        Assert.That(ex.RequiresUserInteraction, Is.True);
        Assert.That(ex.Remediation, Does.Contain("interactively"));
        Assert.That(ex.HelpLinks.Select(l => l.ToString()), Does.Contain("https://learn.microsoft.com/entra/identity-platform/v2-conditional-access-dev-guide"));
        Assert.That(harness.Graph.Sends, Is.Zero);
        Assert.That(endpoint.Forms.Single()["grant_type"], Is.EqualTo("urn:ietf:params:oauth:grant-type:jwt-bearer"));
        Assert.That(ex.ToString() + ex.Message, Does.Not.Contain(incoming), "the user assertion never leaks");
    }

    [Test]
    public void SendAsync_OnBehalfOfMfaRequired50076_InteractionRequired()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.BadRequest, "invalid_grant", "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'x'.", 50076, suberror: "basic_action");
        var incoming = UnsignedJwt.Delegated("access_as_user").WithAudience("api://my-api").Build();
        var source = MsalTokenSource.OnBehalfOf(endpoint.CreateConfidentialClient(), _ => ValueTask.FromResult(incoming), FastRetries());
        using var harness = new ChainHarness(source, o => o.ThrowOnAuthFailure = false);

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me/messages"));

        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.InteractionRequired));
        Assert.That(ex.AadstsCode, Is.EqualTo("AADSTS50076"));
        Assert.That(ex.Remediation, Does.Contain("Multi-factor authentication"));
        Assert.That(harness.Graph.Sends, Is.Zero, "without a token there is no response to pass through");
    }

    private static HttpResponseMessage ErrorWithClaims(int aadsts, string error, string description, string claims)
    {
        var body = new Dictionary<string, object?>
        {
            ["error"] = error,
            ["error_description"] = $"AADSTS{aadsts}: {description}\r\nTrace ID: 0b1a2c3d-0000-4000-8000-000000000003\r\nCorrelation ID: 0b1a2c3d-0000-4000-8000-000000000004\r\nTimestamp: 2026-11-25 07:00:00Z",
            ["error_codes"] = new[] { aadsts },
            ["timestamp"] = "2026-11-25 07:00:00Z",
            ["trace_id"] = "0b1a2c3d-0000-4000-8000-000000000003",
            ["correlation_id"] = "0b1a2c3d-0000-4000-8000-000000000004",
            ["claims"] = claims,
        };
        return new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
    }
}
