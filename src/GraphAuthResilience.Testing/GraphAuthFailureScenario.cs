using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace GraphAuthResilience.Testing;

/// <summary>
/// One way Microsoft Graph auth goes wrong, faked end to end: the request that meets it, the token that was sent,
/// and what Graph (or, for token-acquisition causes, the token endpoint) answers. Bodies and headers are the real ones
/// Graph has been recorded sending; the GUIDs are made up. Get one with <see cref="For"/> or enumerate <see cref="All"/>.
/// </summary>
/// <example>
/// <code>
/// var scenario = GraphAuthFailureScenario.For(GraphAuthFailureCause.WrongAudience);
/// mockHttp.When(scenario.RequestUri.ToString()).RespondWithGraphAuthFailure(scenario);
/// services.AddHttpClient("graph")
///     .AddGraphAuthHandlers(o => o.TokenSource = scenario.CreateTokenSource())
///     .ConfigurePrimaryHttpMessageHandler(() => mockHttp);
/// </code>
/// </example>
public sealed class GraphAuthFailureScenario
{
    private const string Tenant = "11111111-2222-3333-4444-555555555555";

    private static readonly GraphAuthFailureScenario[] Scenarios =
    [
        new(GraphAuthFailureCause.MissingToken, "401 InvalidAuthenticationToken: Access token is empty.")
        {
            StatusCode = HttpStatusCode.Unauthorized,
            GraphErrorCode = "InvalidAuthenticationToken",
            GraphErrorMessage = "Access token is empty.",
            WwwAuthenticate = GraphResponses.PlainChallenge,
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/users"),
            SendsEmptyAuthorization = true,
        },
        new(GraphAuthFailureCause.InvalidToken, "401 InvalidAuthenticationToken: CompactToken parsing failed")
        {
            StatusCode = HttpStatusCode.Unauthorized,
            GraphErrorCode = "InvalidAuthenticationToken",
            GraphErrorMessage = "CompactToken parsing failed with error code: 80049217",
            WwwAuthenticate = GraphResponses.PlainChallenge,
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/users"),
        },
        new(GraphAuthFailureCause.ExpiredToken, "401 InvalidAuthenticationToken: Lifetime validation failed, the token is expired.")
        {
            StatusCode = HttpStatusCode.Unauthorized,
            GraphErrorCode = "InvalidAuthenticationToken",
            GraphErrorMessage = "Lifetime validation failed, the token is expired.",
            WwwAuthenticate = GraphResponses.PlainChallenge,
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/users"),
            TokenExpiredBy = TimeSpan.FromMinutes(10),
        },
        new(GraphAuthFailureCause.WrongAudience, "401 InvalidAuthenticationToken: Invalid audience (aud = Azure AD Graph)")
        {
            StatusCode = HttpStatusCode.Unauthorized,
            GraphErrorCode = "InvalidAuthenticationToken",
            GraphErrorMessage = "Access token validation failure. Invalid audience.",
            WwwAuthenticate = GraphResponses.PlainChallenge,
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/users"),
            Audience = "https://graph.windows.net",
        },
        new(GraphAuthFailureCause.PersonalAccountNotSupported, "401 AuthenticationError on POST /me/onlineMeetings with a personal account")
        {
            StatusCode = HttpStatusCode.Unauthorized,
            GraphErrorCode = "AuthenticationError",
            GraphErrorMessage = "Error authenticating with resource",
            WwwAuthenticate = GraphResponses.PlainChallenge,
            Method = HttpMethod.Post,
            RequestUri = new Uri("https://graph.microsoft.com/beta/me/onlineMeetings"),
            RequestBody = """{"subject":"Sync"}""",
            Delegated = true,
            DelegatedScopes = ["OnlineMeetings.ReadWrite"],
            TenantId = GraphTokenInfo.PersonalAccountTenantId,
        },
        new(GraphAuthFailureCause.InsufficientPermissions, "403 Authorization_RequestDenied: Insufficient privileges")
        {
            StatusCode = HttpStatusCode.Forbidden,
            GraphErrorCode = "Authorization_RequestDenied",
            GraphErrorMessage = "Insufficient privileges to complete the operation.",
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/users"),
        },
        new(GraphAuthFailureCause.TokenTypeMismatch, "400 BadRequest: /me request is only valid with delegated authentication flow.")
        {
            StatusCode = HttpStatusCode.BadRequest,
            GraphErrorCode = "BadRequest",
            GraphErrorMessage = "/me request is only valid with delegated authentication flow.",
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/me"),
            Roles = ["User.Read.All"],
        },
        new(GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin, "403 Authorization_RequestDenied on PATCH passwordProfile (app-only)")
        {
            StatusCode = HttpStatusCode.Forbidden,
            GraphErrorCode = "Authorization_RequestDenied",
            GraphErrorMessage = "Insufficient privileges to complete the operation.",
            Method = HttpMethod.Patch,
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/users/adele@contoso.example"),
            RequestBody = """{"passwordProfile":{"forceChangePasswordNextSignIn":true,"password":"placeholder-not-a-secret"}}""",
            Roles = ["User.ReadWrite.All"],
        },
        new(GraphAuthFailureCause.UserNotPrivilegedOrLicensed, "403 Forbidden: Failed to get license information for the user.")
        {
            StatusCode = HttpStatusCode.Forbidden,
            GraphErrorCode = "Forbidden",
            GraphErrorMessage = "Failed to get license information for the user. Ensure user has a valid Office365 license assigned to them.",
            Method = HttpMethod.Post,
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/teams/0f3e9c4a-1b2d-4e5f-8a9b-0c1d2e3f4a5b/channels/19:general@thread.tacv2/messages"),
            RequestBody = """{"body":{"content":"Hello"}}""",
            Delegated = true,
            DelegatedScopes = ["ChannelMessage.Send"],
        },
        // Teams application access policy missing for an app-only online-meetings call
        // (jondoesflow/Teams-Transcript-Summariser-Open-AI #2; the diagnosis corpus holds the case).
        new(GraphAuthFailureCause.PolicyRestricted, "403 General: No application access policy found for this app (app-only online meetings)")
        {
            StatusCode = HttpStatusCode.Forbidden,
            GraphErrorCode = "General",
            GraphErrorMessage = "No application access policy found for this app.",
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/users/64c53a6c-0e0f-4d06-a32f-d050d8578abd/onlineMeetings"),
            Roles = ["OnlineMeetings.Read.All", "OnlineMeetingTranscript.Read.All"],
        },
        new(GraphAuthFailureCause.UnsatisfiedClaimsChallenge, "401 insufficient_claims (CAE), again after re-acquiring with the claims")
        {
            StatusCode = HttpStatusCode.Unauthorized,
            GraphErrorCode = GraphResponses.ClaimsChallengeErrorCode,
            GraphErrorMessage = GraphResponses.ClaimsChallengeMessage,
            WwwAuthenticate = GraphResponses.QuotedClaimsChallenge,
            Claims = GraphResponses.QuotedClaimsJson,
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/me/messages"),
            Delegated = true,
            DelegatedScopes = ["Mail.Read"],
            FixedRequestId = "c41e8b07-35d2-4a9f-b6e8-90a1f2d4c356",
        },
        new(GraphAuthFailureCause.ConsentRequired, "token endpoint 400 invalid_grant AADSTS65001 (no consent)")
        {
            StatusCode = HttpStatusCode.BadRequest,
            TokenEndpointError = "invalid_grant",
            TokenEndpointSuberror = "consent_required",
            AadstsCode = "AADSTS65001",
            AadstsDescription = "The user or administrator has not consented to use the application with ID 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' named 'Contoso Reports'. Send an interactive authorization request for this user and resource.",
            TokenRemediation = "Consent is missing: an administrator must grant consent to the app's permissions, or the user must sign in interactively and consent.",
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/me/messages"),
            Delegated = true,
            DelegatedScopes = ["Mail.Read"],
        },
        new(GraphAuthFailureCause.TenantNotOnboarded, "token endpoint 400 unauthorized_client AADSTS700016 (app not found in the customer's directory)")
        {
            // Entra ID's text for AADSTS700016 (learn.microsoft.com/entra/identity-platform/reference-error-codes and
            // the troubleshooting page for it); the ids and the directory name are made up.
            StatusCode = HttpStatusCode.BadRequest,
            TokenEndpointError = "unauthorized_client",
            AadstsCode = "AADSTS700016",
            AadstsDescription = "Application with identifier 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' was not found in the directory 'Fabrikam (0f0f0f0f-0000-4000-8000-00000000000f)'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
            TokenRemediation = "This customer has not onboarded the app; your app registration is not at fault. An administrator of tenant 0f0f0f0f-0000-4000-8000-00000000000f must grant admin consent: https://login.microsoftonline.com/0f0f0f0f-0000-4000-8000-00000000000f/adminconsent?client_id=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/users"),
            CustomerTenant = "0f0f0f0f-0000-4000-8000-00000000000f",
        },
        new(GraphAuthFailureCause.InteractionRequired, "token endpoint 400 interaction_required AADSTS50079 (MFA enrolment)")
        {
            StatusCode = HttpStatusCode.BadRequest,
            TokenEndpointError = "interaction_required",
            AadstsCode = "AADSTS50079",
            AadstsDescription = "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access 'Microsoft Graph'.",
            TokenRemediation = "The user must enrol in multi-factor authentication: sign the user in interactively with the claims on this exception.",
            Claims = "{\"access_token\":{\"polids\":{\"essential\":true,\"Values\":[\"5ce770ea-8690-4747-aa73-c5b3cd509cd4\"]}}}",
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/me/messages"),
            Delegated = true,
            DelegatedScopes = ["Mail.Read"],
        },
        new(GraphAuthFailureCause.TokenAcquisitionFailed, "token endpoint 401 invalid_client AADSTS7000215 (wrong secret)")
        {
            StatusCode = HttpStatusCode.Unauthorized,
            TokenEndpointError = "invalid_client",
            AadstsCode = "AADSTS7000215",
            AadstsDescription = "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'.",
            TokenRemediation = "The client secret is wrong: use the secret's Value (shown once when created), not its Secret ID, and check that it has not been replaced.",
            RequestUri = new Uri("https://graph.microsoft.com/v1.0/users"),
        },
    ];

    private GraphAuthFailureScenario(GraphAuthFailureCause cause, string summary)
    {
        Cause = cause;
        Summary = summary;
        var n = ((int)cause).ToString("x2", CultureInfo.InvariantCulture);
        FixedRequestId = $"5e0a7c1b-0000-4000-8000-0000000000{n}";
    }

    /// <summary>Gets every scenario: one per <see cref="GraphAuthFailureCause"/> except <see cref="GraphAuthFailureCause.Unknown"/>.</summary>
    public static IReadOnlyList<GraphAuthFailureScenario> All { get; } = Array.AsReadOnly(Scenarios);

    /// <summary>Gets the cause the chain should report for this scenario.</summary>
    public GraphAuthFailureCause Cause { get; }

    /// <summary>Gets what Graph or the token endpoint says, in one line.</summary>
    public string Summary { get; }

    /// <summary>Gets a value indicating whether the failure comes from the token source (consent, interaction, a bad
    /// credential) rather than from Graph: the request never reaches Graph.</summary>
    public bool FailsAtTokenSource => TokenEndpointError is not null;

    /// <summary>Gets the method of the request that meets this failure.</summary>
    public HttpMethod Method { get; private init; } = HttpMethod.Get;

    /// <summary>Gets the URI of the request that meets this failure (some causes depend on it: <c>/me</c>, a password update).</summary>
    public Uri RequestUri { get; private init; } = new("https://graph.microsoft.com/v1.0/users");

    /// <summary>Gets the JSON body of the request, when it has one.</summary>
    public string? RequestBody { get; private init; }

    /// <summary>Gets the status Graph answers with, or, when <see cref="FailsAtTokenSource"/>, the token endpoint's.</summary>
    public HttpStatusCode StatusCode { get; private init; }

    /// <summary>Gets Graph's <c>error.code</c>; <see langword="null"/> when <see cref="FailsAtTokenSource"/>.</summary>
    public string? GraphErrorCode { get; private init; }

    /// <summary>Gets Graph's <c>error.message</c>; <see langword="null"/> when <see cref="FailsAtTokenSource"/>.</summary>
    public string? GraphErrorMessage { get; private init; }

    /// <summary>Gets the raw <c>WWW-Authenticate</c> value Graph sends, if any.</summary>
    public string? WwwAuthenticate { get; private init; }

    /// <summary>Gets the claims (JSON) the failure carries: a CAE challenge's, or the token endpoint's for MFA.</summary>
    public string? Claims { get; private init; }

    /// <summary>Gets the request id Graph answers with (and, unless the request sends its own, the client request id).</summary>
    public string RequestId => FixedRequestId;

    /// <summary>Gets the token endpoint's OAuth error (<c>invalid_grant</c>, <c>interaction_required</c>,
    /// <c>invalid_client</c>) when <see cref="FailsAtTokenSource"/>.</summary>
    public string? TokenEndpointError { get; private init; }

    /// <summary>Gets the Entra ID error number (for example <c>AADSTS65001</c>) when <see cref="FailsAtTokenSource"/>.</summary>
    public string? AadstsCode { get; private init; }

    /// <summary>Gets the customer tenant the request is for (<see cref="CreateRequest"/> sets it with
    /// <c>SetGraphTenant</c>), or <see langword="null"/> for the token source's own tenant.</summary>
    public string? CustomerTenant { get; private init; }

    private string FixedRequestId { get; init; }

    private string? TokenEndpointSuberror { get; init; }

    private string? AadstsDescription { get; init; }

    private string? TokenRemediation { get; init; }

    private bool SendsEmptyAuthorization { get; init; }

    private bool Delegated { get; init; }

    private string[] DelegatedScopes { get; init; } = [];

    private string[] Roles { get; init; } = [];

    private string Audience { get; init; } = "https://graph.microsoft.com";

    private string TenantId { get; init; } = Tenant;

    private TimeSpan? TokenExpiredBy { get; init; }

    /// <summary>Gets the scenario that fakes <paramref name="cause"/>.</summary>
    /// <param name="cause">Any cause but <see cref="GraphAuthFailureCause.Unknown"/>.</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cause"/> is <see cref="GraphAuthFailureCause.Unknown"/>
    /// (what diagnosis says when nothing else fits has no single answer to fake) or not a defined cause.</exception>
    public static GraphAuthFailureScenario For(GraphAuthFailureCause cause) =>
        Array.Find(Scenarios, s => s.Cause == cause)
        ?? throw new ArgumentOutOfRangeException(
            nameof(cause), cause, "There is no fake for this cause: Unknown is what diagnosis reports when nothing else fits, so it has no single Graph answer.");

    /// <summary>Starts the token that meets this failure: its audience, tenant, delegated scopes or app roles, and expiry
    /// (an expired one for <see cref="GraphAuthFailureCause.ExpiredToken"/>). Add claims before <see cref="UnsignedJwt.Build"/>.</summary>
    /// <param name="now">The current time, for <c>exp</c>; defaults to the system clock.</param>
    /// <returns>A new builder each call.</returns>
    public UnsignedJwt CreateToken(DateTimeOffset? now = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        var jwt = Delegated ? UnsignedJwt.Delegated(DelegatedScopes) : UnsignedJwt.AppOnly();
        if (!Delegated && Roles.Length > 0)
        {
            jwt.WithRoles(Roles);
        }

        return jwt.WithAudience(Audience)
            .WithTenant(TenantId)
            .ExpiresAt(TokenExpiredBy is { } expiredBy ? at - expiredBy : at.AddHours(1));
    }

    /// <summary>Creates a <see cref="FakeGraphTokenSource"/> for this scenario: it hands out <see cref="CreateToken"/>
    /// tokens (every one of them, so a refresh does not help), or, when <see cref="FailsAtTokenSource"/>, throws
    /// <see cref="CreateTokenSourceException"/> for the scopes asked.</summary>
    /// <param name="timeProvider">The clock for expiry; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <returns>A new token source.</returns>
    public FakeGraphTokenSource CreateTokenSource(TimeProvider? timeProvider = null)
    {
        var time = timeProvider ?? TimeProvider.System;
        var source = new FakeGraphTokenSource(time);
        source.TokenFactory = (_, number) => CreateToken(time.GetUtcNow()).WithClaim("uti", $"fake-{number}").Build();
        if (FailsAtTokenSource)
        {
            source.FailureFactory = request => CreateTokenSourceException(request.Scopes);
        }

        return source;
    }

    /// <summary>Creates the exception a token source throws for this scenario, as the library's MSAL sources map it
    /// (the subtype for the cause, such as <see cref="GraphAuthSignInRequiredException"/>): the cause, the OAuth error, the AADSTS number, the claims and the scopes an interactive sign-in needs.</summary>
    /// <param name="scopes">The scopes that were asked for.</param>
    /// <returns>The exception.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scopes"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The failure comes from Graph, not the token source (<see cref="FailsAtTokenSource"/> is false).</exception>
    public GraphAuthException CreateTokenSourceException(IReadOnlyList<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        EnsureTokenSource();
        return GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = Cause,
            Message = $"Could not acquire a token for Microsoft Graph: {AadstsCode} ({TokenEndpointError}), status {(int)StatusCode}.",
            Remediation = TokenRemediation,
            StatusCode = StatusCode,
            Claims = Claims,
            Scopes = scopes,
            TokenEndpointError = TokenEndpointError,
            AadstsCode = AadstsCode,
        });
    }

    /// <summary>Creates the request that meets this failure (method, URI, JSON body). For
    /// <see cref="GraphAuthFailureCause.MissingToken"/> it carries an empty <c>Authorization: Bearer</c> header, as code
    /// that sets a null token does: the chain leaves a caller's header alone, so no token is sent.</summary>
    /// <returns>A new request.</returns>
    public HttpRequestMessage CreateRequest()
    {
        var request = new HttpRequestMessage(Method, RequestUri);
        if (RequestBody is not null)
        {
            request.Content = new StringContent(RequestBody, Encoding.UTF8, "application/json");
        }

        if (SendsEmptyAuthorization)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer");
        }

        if (CustomerTenant is not null)
        {
            request.SetGraphTenant(CustomerTenant);
        }

        return request;
    }

    /// <summary>Creates Graph's answer: status, JSON error body with <c>innerError</c> ids, <c>request-id</c> and
    /// <c>client-request-id</c> headers (echoing the request's <c>client-request-id</c>), and <c>WWW-Authenticate</c>.</summary>
    /// <param name="request">The request being answered, if any.</param>
    /// <returns>A new response.</returns>
    /// <exception cref="InvalidOperationException">The failure comes from the token source, so Graph has no answer
    /// (<see cref="FailsAtTokenSource"/>); use <see cref="CreateTokenSource"/> or <see cref="CreateTokenEndpointResponse"/>.</exception>
    public HttpResponseMessage CreateResponse(HttpRequestMessage? request = null)
    {
        if (FailsAtTokenSource)
        {
            throw new InvalidOperationException(
                $"{Cause} comes from the token source, not from Graph: use CreateTokenSource() (or FakeGraphTokenSource.For) or CreateTokenEndpointResponse().");
        }

        return GraphResponses.Error(StatusCode, GraphErrorCode!, GraphErrorMessage!, WwwAuthenticate, FixedRequestId, request: request);
    }

    /// <summary>Creates the Entra ID token endpoint's error answer for this scenario (for tests that run real MSAL over a
    /// fake token endpoint): <c>error</c>, <c>error_description</c> starting with the AADSTS number, <c>error_codes</c>,
    /// <c>suberror</c> and <c>claims</c> when the scenario has them.</summary>
    /// <returns>A new response.</returns>
    /// <exception cref="InvalidOperationException">The failure comes from Graph (<see cref="FailsAtTokenSource"/> is false).</exception>
    public HttpResponseMessage CreateTokenEndpointResponse()
    {
        EnsureTokenSource();
        var number = int.Parse(AadstsCode!.AsSpan("AADSTS".Length), NumberStyles.None, CultureInfo.InvariantCulture);
        const string TraceId = "0b1a2c3d-0000-4000-8000-000000000001";
        const string CorrelationId = "0b1a2c3d-0000-4000-8000-000000000002";
        var timestamp = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("error", TokenEndpointError);
            writer.WriteString("error_description", $"{AadstsCode}: {AadstsDescription} Trace ID: {TraceId} Correlation ID: {CorrelationId} Timestamp: {timestamp}");
            writer.WriteStartArray("error_codes");
            writer.WriteNumberValue(number);
            writer.WriteEndArray();
            writer.WriteString("timestamp", timestamp);
            writer.WriteString("trace_id", TraceId);
            writer.WriteString("correlation_id", CorrelationId);
            writer.WriteString("error_uri", "https://login.microsoftonline.com/error?code=" + number.ToString(CultureInfo.InvariantCulture));
            if (TokenEndpointSuberror is not null)
            {
                writer.WriteString("suberror", TokenEndpointSuberror);
            }

            if (Claims is not null)
            {
                writer.WriteString("claims", Claims);
            }

            writer.WriteEndObject();
        }

        return new HttpResponseMessage(StatusCode)
        {
            Content = new StringContent(Encoding.UTF8.GetString(buffer.ToArray()), Encoding.UTF8, "application/json"),
        };
    }

    /// <summary>Returns the cause and the summary.</summary>
    /// <returns>For example <c>WrongAudience: 401 InvalidAuthenticationToken: Invalid audience ...</c>.</returns>
    public override string ToString() => $"{Cause}: {Summary}";

    private void EnsureTokenSource()
    {
        if (!FailsAtTokenSource)
        {
            throw new InvalidOperationException($"{Cause} comes from Graph, not from the token source: use CreateResponse().");
        }
    }
}
