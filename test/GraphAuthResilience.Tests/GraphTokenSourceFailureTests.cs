using System.Net;
using System.Text.Json;
using GraphAuthResilience.Testing;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Tests;

/// <summary>
/// <see cref="GraphTokenSourceFailure"/>, the public door to the token-failure diagnosis, as a token source of the
/// application's own uses it: over real MSAL (<c>FromMsal</c>, with the exception MSAL really throws for an answer of
/// the fake token endpoint) and over plain HTTP (<c>FromTokenEndpoint</c>, with the JSON that same endpoint answers).
/// The answers are Entra ID's: status, <c>error</c> and <c>suberror</c> per code as listed in
/// shared/reference/graph-error-samples.md ("Token endpoint errors"), the texts from
/// learn.microsoft.com/entra/identity-platform/reference-error-codes; the ids and names in them are made up.
/// </summary>
public class GraphTokenSourceFailureTests
{
    private const string AppId = FakeEntraTokenEndpoint.ClientId;
    private const string Customer = "0c0c0c0c-0000-4000-8000-00000000000c";
    private const string Source = "PlainHttpTokenSource";

    private static readonly string[] Scopes = [FakeEntraTokenEndpoint.Scope];

    /// <summary>One Entra ID answer per code: status, error, suberror, the text after "AADSTSn: ", a piece of that
    /// text that must never reach the exception, and the cause.</summary>
    private static readonly object[] EntraAnswers =
    [
        new object?[] { 65001, 400, "invalid_grant", "consent_required", $"The user or administrator has not consented to use the application with ID '{AppId}' named 'Contoso Reports'. Send an interactive authorization request for this user and resource.", "Contoso Reports", GraphAuthFailureCause.ConsentRequired },
        new object?[] { 50076, 400, "invalid_grant", "basic_action", "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.", "configuration change", GraphAuthFailureCause.InteractionRequired },
        new object?[] { 50079, 400, "interaction_required", null, "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.", "configuration change", GraphAuthFailureCause.InteractionRequired },
        new object?[] { 53003, 400, "interaction_required", "message_only", "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", "does not allow token issuance", GraphAuthFailureCause.PolicyRestricted },
        new object?[] { 50158, 400, "interaction_required", null, "External security challenge not satisfied. User will be redirected to another page or authentication provider to satisfy additional authentication challenges.", "External security challenge", GraphAuthFailureCause.InteractionRequired },
        new object?[] { 7000215, 401, "invalid_client", null, $"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{AppId}'.", "for a secret added to app", GraphAuthFailureCause.TokenAcquisitionFailed },
        new object?[] { 90002, 400, "invalid_tenant", null, "Tenant 'contoso.onmicrosoft.com' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", "contoso.onmicrosoft.com", GraphAuthFailureCause.TokenAcquisitionFailed },
        new object?[] { 50173, 400, "invalid_grant", "bad_token", "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.", "fresh auth token", GraphAuthFailureCause.InteractionRequired },
    ];

    private static GraphTokenRequest Request(string? tenant = null, string? claims = null) =>
        new(Scopes) { TenantId = tenant, Claims = claims };

    /// <summary>What real MSAL throws for the endpoint's next answer (client credentials).</summary>
    private static async Task<MsalException> MsalFailureAsync(FakeEntraTokenEndpoint endpoint, IConfidentialClientApplication app, string? tenant = null)
    {
        var builder = app.AcquireTokenForClient(Scopes);
        if (tenant is not null)
        {
            builder = builder.WithTenantId(tenant);
        }

        try
        {
            await builder.ExecuteAsync();
        }
        catch (MsalException ex)
        {
            return ex;
        }

        throw new AssertionException("MSAL acquired a token where the endpoint refused one.");
    }

    /// <summary>A token source over plain HTTP: posts a client-credentials request and reads Entra ID's error answer.</summary>
    private static async Task<GraphTokenEndpointError> PlainHttpFailureAsync(FakeEntraTokenEndpoint endpoint)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = AppId,
            ["client_secret"] = FakeEntraTokenEndpoint.Secret,
            ["grant_type"] = "client_credentials",
            ["scope"] = FakeEntraTokenEndpoint.Scope,
        });
        using var response = await endpoint.GetHttpClient().PostAsync($"https://login.microsoftonline.com/{FakeEntraTokenEndpoint.Tenant}/oauth2/v2.0/token", form);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        string? Text(string name) => root.TryGetProperty(name, out var value) ? value.GetString() : null;
        return new GraphTokenEndpointError
        {
            SourceName = Source,
            StatusCode = response.StatusCode,
            Error = Text("error"),
            Suberror = Text("suberror"),
            ErrorDescription = Text("error_description"),
            CorrelationId = Text("correlation_id"),
            Claims = Text("claims"),
        };
    }

    private static string AllText(GraphAuthException ex) =>
        string.Join('\n', ex.ToString(), ex.Message, ex.Remediation, string.Join('\n', ex.Evidence));

    [TestCaseSource(nameof(EntraAnswers))]
    public async Task FromTokenEndpoint_EntraAnswerOverPlainHttp_CauseAndCodesNamingTheSourceWithoutTheText(
        int aadsts, int status, string error, string? suberror, string text, string secretPart, GraphAuthFailureCause cause)
    {
        using var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError((HttpStatusCode)status, error, text, aadsts, suberror);
        var answer = await PlainHttpFailureAsync(endpoint);

        var ex = GraphTokenSourceFailure.FromTokenEndpoint(answer, Request());

        Assert.Multiple(() =>
        {
            Assert.That(ex.Cause, Is.EqualTo(cause));
            Assert.That(ex.AadstsCode, Is.EqualTo($"AADSTS{aadsts}"));
            Assert.That(ex.TokenEndpointError, Is.EqualTo(error));
            Assert.That(ex.RequestId, Is.Not.Null.And.EqualTo(answer.CorrelationId));
            Assert.That(ex.StatusCode, Is.EqualTo((HttpStatusCode)status));
            Assert.That(ex.Scopes, Is.EqualTo(Scopes));
            Assert.That(ex.Message, Does.StartWith(Source));
            Assert.That(ex.Remediation, Does.StartWith(Source + " failed: "));
            Assert.That(ex.InnerException, Is.Null);
            Assert.That(AllText(ex), Does.Not.Contain(secretPart).And.Not.Contain("Trace ID"),
                "only the codes and ids of the answer are kept");
        });
    }

    [TestCaseSource(nameof(EntraAnswers))]
    public async Task FromMsalAndFromTokenEndpoint_SameEntraAnswer_SameDiagnosis(
        int aadsts, int status, string error, string? suberror, string text, string secretPart, GraphAuthFailureCause cause)
    {
        using var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError((HttpStatusCode)status, error, text, aadsts, suberror);
        endpoint.EnqueueError((HttpStatusCode)status, error, text, aadsts, suberror);
        var app = endpoint.CreateConfidentialClient();

        var viaMsal = GraphTokenSourceFailure.FromMsal(await MsalFailureAsync(endpoint, app), Request(), app);
        var viaHttp = GraphTokenSourceFailure.FromTokenEndpoint(await PlainHttpFailureAsync(endpoint), Request());

        TestContext.Out.WriteLine($"{viaMsal.GetType().Name} {viaMsal.Cause} ({viaMsal.Confidence}): {viaMsal.Message}\n  {viaMsal.Remediation}");
        Assert.Multiple(() =>
        {
            Assert.That(viaMsal.Cause, Is.EqualTo(cause));
            Assert.That(viaHttp.Cause, Is.EqualTo(viaMsal.Cause));
            Assert.That(viaHttp.GetType(), Is.EqualTo(viaMsal.GetType()), "the same subtype, so the same catch clauses");
            Assert.That(viaHttp.Confidence, Is.EqualTo(viaMsal.Confidence));
            Assert.That(viaHttp.AlternativeCauses, Is.EqualTo(viaMsal.AlternativeCauses));
            Assert.That(viaHttp.AadstsCode, Is.EqualTo(viaMsal.AadstsCode));
            Assert.That(viaHttp.TokenEndpointError, Is.EqualTo(viaMsal.TokenEndpointError));
            Assert.That(viaHttp.RequestId, Is.EqualTo(viaMsal.RequestId));
            Assert.That(viaHttp.Grants.Select(g => g.Permission), Is.EqualTo(viaMsal.Grants.Select(g => g.Permission)));
            Assert.That(viaHttp.Remediation, Is.EqualTo($"{Source} failed: {viaMsal.Remediation}"));
            Assert.That(viaMsal.InnerException, Is.Null, "MSAL's exception quotes the answer: never kept");
            Assert.That(AllText(viaMsal), Does.Not.Contain(secretPart).And.Not.Contain("Trace ID"));
        });
    }

    [Test]
    public async Task FromMsal_CustomerTenantAndTheApplication_TenantNotOnboardedWithThatTenantsConsentLink()
    {
        using var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.BadRequest, "unauthorized_client", $"Application with identifier '{AppId}' was not found in the directory 'Fabrikam ({Customer})'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", 700016);
        var app = endpoint.CreateConfidentialClient(AppId);
        var thrown = await MsalFailureAsync(endpoint, app, Customer);

        var ex = GraphTokenSourceFailure.FromMsal(thrown, Request(Customer), app);

        var consent = $"https://login.microsoftonline.com/{Customer}/adminconsent?client_id={AppId}";
        Assert.Multiple(() =>
        {
            Assert.That(endpoint.Requests.Single().Tenant, Is.EqualTo(Customer));
            Assert.That(ex, Is.InstanceOf<GraphAuthPermissionException>());
            Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TenantNotOnboarded));
            Assert.That(ex.Confidence, Is.EqualTo(GraphAuthConfidence.High));
            Assert.That(ex.HelpLinks[0].ToString(), Is.EqualTo(consent));
            Assert.That(ex.Evidence, Has.Some.Contain($"the app's own tenant is {FakeEntraTokenEndpoint.Tenant}"));
            Assert.That(AllText(ex), Does.Not.Contain("Fabrikam").And.Not.Contain(FakeEntraTokenEndpoint.Secret));
        });
    }

    [Test]
    public async Task FromMsal_TheAppsOwnTenant_OnlyTheApplicationTellsItFromACustomers()
    {
        using var endpoint = new FakeEntraTokenEndpoint();
        endpoint.EnqueueError(HttpStatusCode.BadRequest, "unauthorized_client", $"Application with identifier '{AppId}' was not found in the directory 'Contoso ({FakeEntraTokenEndpoint.Tenant})'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", 700016);
        var app = endpoint.CreateConfidentialClient(AppId);
        var thrown = await MsalFailureAsync(endpoint, app, FakeEntraTokenEndpoint.Tenant);
        var request = Request(FakeEntraTokenEndpoint.Tenant);

        var withApp = GraphTokenSourceFailure.FromMsal(thrown, request, app);
        var withoutApp = GraphTokenSourceFailure.FromMsal(thrown, request);

        Assert.Multiple(() =>
        {
            // The app's own tenant: the app may be misconfigured, so the cause is a guess with the alternative named.
            Assert.That(withApp.Cause, Is.EqualTo(GraphAuthFailureCause.TenantNotOnboarded));
            Assert.That(withApp.Confidence, Is.EqualTo(GraphAuthConfidence.Medium));
            Assert.That(withApp.AlternativeCauses, Is.EqualTo(new[] { GraphAuthFailureCause.TokenAcquisitionFailed }));
            Assert.That(withApp.Remediation, Does.Contain("your app is misconfigured"));
            // Without the application, a tenant asked for per request counts as a customer's.
            Assert.That(withoutApp.Cause, Is.EqualTo(GraphAuthFailureCause.TenantNotOnboarded));
            Assert.That(withoutApp.Confidence, Is.EqualTo(GraphAuthConfidence.High));
            Assert.That(withoutApp.Remediation, Does.Contain("This customer has not onboarded"));
        });
    }

    [Test]
    public void FromMsal_UiRequiredConsent_SignInRequiredWithTheRequestsScopesClaimsAndGrants()
    {
        const string claims = """{"access_token":{"nbf":{"essential":true,"value":"1635527790"}}}""";
        var thrown = new MsalUiRequiredException(
            "invalid_grant",
            $"AADSTS65001: The user or administrator has not consented to use the application with ID '{AppId}' named 'Contoso Reports'. Send an interactive authorization request for this user and resource.",
            null,
            UiRequiredExceptionClassification.ConsentRequired);
        var request = new GraphTokenRequest(["https://graph.microsoft.com/User.Read.All"]) { Claims = claims };

        var ex = GraphTokenSourceFailure.FromMsal(thrown, request);

        Assert.Multiple(() =>
        {
            Assert.That(ex, Is.InstanceOf<GraphAuthSignInRequiredException>());
            Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.ConsentRequired));
            Assert.That(ex.RequiresUserInteraction, Is.True);
            Assert.That(ex.Claims, Is.EqualTo(claims), "MSAL's exception has none: the claims the request tried to meet");
            Assert.That(ex.Scopes, Is.EqualTo(new[] { "https://graph.microsoft.com/User.Read.All" }));
            Assert.That(ex.Grants.Select(g => g.Permission), Has.Member("User.Read.All"));
            Assert.That(ex.Message, Does.Not.Contain("Contoso Reports"));
        });
    }

    [Test]
    public void FromMsal_ServiceExceptionWithClaims_TheAnswersClaimsAndCorrelationId()
    {
        const string claims = """{"access_token":{"polids":{"essential":true,"Values":["5ce770ea-8690-4747-aa73-c5b3cd509cd4"]}}}""";
        var thrown = new MsalServiceException(
            "interaction_required",
            "AADSTS50079: Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
            400,
            claims,
            null)
        { CorrelationId = "7e6d5c4b-1111-2222-3333-444455556666" };

        var ex = GraphTokenSourceFailure.FromMsal(thrown, Request(claims: """{"access_token":{"other":{"essential":true}}}"""));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.InteractionRequired));
            Assert.That(ex.Claims, Is.EqualTo(claims), "the answer's claims win over the request's");
            Assert.That(ex.RequestId, Is.EqualTo("7e6d5c4b-1111-2222-3333-444455556666"));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(ex.Remediation, Does.Contain("enrol in multi-factor authentication"));
        });
    }

    [Test]
    public void FromMsal_ClientException_TokenAcquisitionFailedWithItsErrorCode()
    {
        var thrown = new MsalClientException("invalid_json_claims_format", "The claims are not valid JSON: {\"access_token\"");

        var ex = GraphTokenSourceFailure.FromMsal(thrown, Request());

        Assert.Multiple(() =>
        {
            Assert.That(ex, Is.InstanceOf<GraphAuthTokenException>());
            Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
            Assert.That(ex.TokenEndpointError, Is.EqualTo("invalid_json_claims_format"));
            Assert.That(ex.Remediation, Does.Contain("decoded from base64"));
        });
    }

    [Test]
    public void FromTokenEndpoint_UnavailableWithNoCode_SaysSoNamingTheSource()
    {
        var ex = GraphTokenSourceFailure.FromTokenEndpoint(new GraphTokenEndpointError { SourceName = Source, StatusCode = HttpStatusCode.ServiceUnavailable }, Request());

        Assert.Multiple(() =>
        {
            Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
            Assert.That(ex.Message, Is.EqualTo($"{Source} could not acquire a token for Microsoft Graph: unknown error, status 503."));
            Assert.That(ex.Remediation, Is.EqualTo($"{Source} failed: The token endpoint was unavailable after the token source's own retries; try again later."));
            Assert.That(ex.AadstsCode, Is.Null);
        });
    }

    [Test]
    public void FromTokenEndpoint_NothingKnown_TokenAcquisitionFailedWithTheGenericRemediation()
    {
        var ex = GraphTokenSourceFailure.FromTokenEndpoint(new GraphTokenEndpointError(), Request());

        Assert.Multiple(() =>
        {
            Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TokenAcquisitionFailed));
            Assert.That(ex.Message, Is.EqualTo("Could not acquire a token for Microsoft Graph: unknown error."));
            Assert.That(ex.Remediation, Is.EqualTo(GraphAuthRemediation.For(GraphAuthFailureCause.TokenAcquisitionFailed)));
        });
    }

    [Test]
    public void FromTokenEndpoint_CustomerTenant700016_ConsentLinkFromTheIdsInTheText()
    {
        var answer = new GraphTokenEndpointError
        {
            StatusCode = HttpStatusCode.BadRequest,
            Error = "unauthorized_client",
            ErrorDescription = $"AADSTS700016: Application with identifier '{AppId}' was not found in the directory 'Fabrikam ({Customer})'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
        };

        var ex = GraphTokenSourceFailure.FromTokenEndpoint(answer, Request(Customer));

        Assert.Multiple(() =>
        {
            Assert.That(ex.Cause, Is.EqualTo(GraphAuthFailureCause.TenantNotOnboarded));
            Assert.That(ex.Confidence, Is.EqualTo(GraphAuthConfidence.High));
            Assert.That(ex.Remediation, Does.Contain($"https://login.microsoftonline.com/{Customer}/adminconsent?client_id={AppId}"));
            Assert.That(AllText(ex), Does.Not.Contain("Fabrikam"));
        });
    }

    [Test]
    public void FromTokenEndpoint_SourceNameWithLineBreaksAndEscapes_CannotForgeALogLine()
    {
        var answer = new GraphTokenEndpointError { SourceName = "Evil\r\n[INF] token issued\u001b[2J", Error = "invalid_client" };

        var ex = GraphTokenSourceFailure.FromTokenEndpoint(answer, Request());

        var text = ex.Message + ex.Remediation;
        Assert.Multiple(() =>
        {
            Assert.That(text.Where(char.IsControl), Is.Empty, "no line break or escape character");
            Assert.That(text, Does.Contain("Evil\\r\\n[INF] token issued\\u001b[2J"), "escaped, so the reader still sees what the name was");
        });
    }

    [Test]
    public void GraphTokenEndpointError_ToString_CarriesNothingOfTheAnswer()
    {
        var answer = new GraphTokenEndpointError { ErrorDescription = "AADSTS7000215: Invalid client secret provided.", CorrelationId = "7e6d5c4b", Claims = "{}" };

        Assert.That(answer.ToString(), Is.EqualTo(typeof(GraphTokenEndpointError).FullName));
    }

    [Test]
    public void FromMsal_NullArguments_Throw()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => GraphTokenSourceFailure.FromMsal(null!, Request()), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("exception"));
            Assert.That(() => GraphTokenSourceFailure.FromMsal(new MsalClientException("x", "y"), null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("request"));
        });
    }

    [Test]
    public void FromTokenEndpoint_NullArguments_Throw()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => GraphTokenSourceFailure.FromTokenEndpoint(null!, Request()), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("error"));
            Assert.That(() => GraphTokenSourceFailure.FromTokenEndpoint(new GraphTokenEndpointError(), null!), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("request"));
        });
    }
}
