using System.Globalization;
using System.Net;
using Microsoft.Identity.Client;
using Polly.Timeout;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// Turns token-source failures into <see cref="GraphAuthException"/>. MSAL's exceptions carry the token endpoint's
/// error description and body (in <c>Message</c>, <c>ResponseBody</c> and <c>ToString()</c>); none of that is
/// copied: only the OAuth error code, the AADSTS number, the status and the correlation id.
/// </summary>
internal static class TokenSourceErrors
{
    /// <summary>How much of an error text is searched for an AADSTS code (MSAL puts it first).</summary>
    internal const int MaxAadstsSearchLength = 4096;

    /// <param name="exception">What the token source threw.</param>
    /// <param name="scopes">The scopes that were asked for.</param>
    /// <param name="requestedClaims">The claims (JSON) the acquisition tried to meet: carried on the exception when
    /// MSAL's own exception has none, so an interactive sign-in can meet Graph's challenge.</param>
    /// <param name="keepApplicationException">Whether an exception of the application's own token source is kept as
    /// the inner exception (the cache passes <see langword="true"/>): it is the application's to read. An exception
    /// from MSAL or Azure.Identity, or one that wraps one, is never kept: its text can carry the token endpoint's
    /// answer.</param>
    /// <param name="tenant">The tenant the request was for and what the source knows of the app (for the onboarding
    /// diagnosis), or <see langword="null"/>.</param>
    public static GraphAuthException Map(
        Exception exception, IReadOnlyList<string> scopes, string? requestedClaims = null, bool keepApplicationException = false,
        TokenRequestTenant? tenant = null) => exception switch
    {
        GraphAuthException graph => graph,
        MsalUiRequiredException ui => FromTokenEndpoint(
            AnswerOf(ui, ui.Classification == UiRequiredExceptionClassification.ConsentRequired ? "consent_required" : null),
            scopes,
            requestedClaims,
            tenant,
            needsUser: true,
            detail: $"classification {ui.Classification}"),
        MsalServiceException service => FromTokenEndpoint(AnswerOf(service), scopes, requestedClaims, tenant, needsUser: false),
        MsalClientException client => GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = $"MSAL could not acquire a token for Microsoft Graph ({client.ErrorCode}).",
            Remediation = ClientRemediation(client.ErrorCode),
            Scopes = scopes,
            TokenEndpointError = client.ErrorCode,
        }),
        TimeoutRejectedException timeout => GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = $"The token endpoint did not answer within {timeout.Timeout}.",
            Remediation = "The token endpoint did not answer in time on any attempt. Check outbound connectivity to the authority host and any proxy; the request can be retried later.",
            Scopes = scopes,
        }),
        System.Text.Json.JsonException or FormatException => GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = "The token endpoint's answer could not be read as a token response.",
            Remediation = "The token endpoint answered with something that is not a token response (a proxy or captive portal page, or a truncated answer). Check the authority URL and any proxy between this service and the token endpoint.",
            Scopes = scopes,
        }),
        OperationCanceledException => GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = "The token source was cancelled or timed out before it returned a token.",
            Remediation = "The token source did not finish. Check connectivity to the token endpoint; the request can be retried later.",
            Scopes = scopes,
        }),
        _ => GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = $"The token source failed with {exception.GetType().Name}.",
            Remediation = keepApplicationException && IsApplicationException(exception)
                ? "The application's token source threw; its exception is the inner exception of this one."
                : null,
            Scopes = scopes,
        }, keepApplicationException && IsApplicationException(exception) ? exception : null),
    };

    /// <summary>Whether <paramref name="exception"/> (and everything it wraps) comes from outside MSAL and the
    /// Azure SDK, whose exception texts can carry a token endpoint's answer.</summary>
    internal static bool IsApplicationException(Exception exception)
    {
        var pending = new Stack<Exception>();
        pending.Push(exception);
        var seen = 0;
        while (pending.TryPop(out var current))
        {
            if (++seen > 64 || IsIdentityLibrary(current.GetType()))
            {
                return false;
            }

            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (current.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }

        return true;
    }

    private static bool IsIdentityLibrary(Type type)
    {
        var assembly = type.Assembly.GetName().Name ?? string.Empty;
        return assembly.StartsWith("Microsoft.Identity.", StringComparison.Ordinal)
            || assembly.StartsWith("Azure.", StringComparison.Ordinal);
    }

    /// <summary>Finds the first <c>AADSTS</c> followed by 4 to 8 digits in the first
    /// <see cref="MaxAadstsSearchLength"/> characters. A linear scan of a bounded prefix: it cannot time out, throw
    /// or take longer for a larger text.</summary>
    /// <returns>The code, for example <c>AADSTS7000215</c>, or <see langword="null"/>.</returns>
    internal static string? AadstsCode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var span = text.AsSpan(0, Math.Min(text.Length, MaxAadstsSearchLength));
        while (true)
        {
            var at = span.IndexOf("AADSTS", StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }

            var digits = span[(at + 6)..];
            var count = 0;
            while (count < digits.Length && count <= 8 && char.IsAsciiDigit(digits[count]))
            {
                count++;
            }

            if (count is >= 4 and <= 8)
            {
                return string.Concat("AADSTS", digits[..count]);
            }

            span = digits;
        }
    }

    /// <summary>
    /// The failures that say a tenant has not onboarded the app: AADSTS700016 (no service principal: the app was not
    /// found in the directory), AADSTS65001 (no consent) and AADSTS90094 (the permissions need an administrator's
    /// consent). For a customer tenant (the request's tenant is not the source's own) they are
    /// <see cref="GraphAuthFailureCause.TenantNotOnboarded"/> for sure: that customer's administrator must consent, the
    /// app is not at fault. AADSTS700016 without a customer tenant is the same cause with
    /// <see cref="GraphAuthConfidence.Medium"/>: the configured tenant may be a customer's, or the app's own (then the
    /// app is misconfigured: <see cref="GraphAuthFailureCause.TokenAcquisitionFailed"/> is the alternative), and the
    /// remediation says how to tell. AADSTS65001 and AADSTS90094 in the app's own tenant stay consent failures.
    /// </summary>
    /// <param name="aadsts">The AADSTS code found, or <see langword="null"/>.</param>
    /// <param name="text">The failure's text: only a GUID after "identifier '" and after "directory '" is read from it.</param>
    /// <param name="tenant">The request's tenant and the source's knowledge, or <see langword="null"/>.</param>
    /// <param name="scopes">The scopes asked for.</param>
    /// <param name="correlationId">The token endpoint's correlation id, if any.</param>
    /// <param name="errorCode">The OAuth error, if any.</param>
    /// <returns>The failure, or <see langword="null"/> when this is not an onboarding failure.</returns>
    internal static GraphAuthException? Onboarding(
        string? aadsts, string? text, TokenRequestTenant? tenant, IReadOnlyList<string>? scopes, string? correlationId = null, string? errorCode = null)
    {
        if (aadsts is not ("AADSTS700016" or "AADSTS65001" or "AADSTS90094"))
        {
            return null;
        }

        var customer = tenant?.IsCustomer == true;
        if (!customer && aadsts != "AADSTS700016")
        {
            return null;
        }

        var where = (customer ? tenant!.Requested : null) ?? tenant?.Source.HomeTenant ?? GuidAfter(text, "directory '") ?? tenant?.Requested;
        var appId = tenant?.Source.ClientId ?? GuidAfter(text, "identifier '");
        var consent = AdminConsentUri(tenant?.Source.AuthorityHost, where, appId);
        var link = consent?.ToString() ?? $"https://{TokenSourceTenants.GlobalAuthorityHost}/{{tenant}}/adminconsent?client_id={{appId}}";
        var whereText = where ?? "the tenant";
        var what = aadsts switch
        {
            "AADSTS700016" => "the app has no service principal there (application not found in the directory)",
            "AADSTS65001" => "nobody has consented to the app's permissions there",
            _ => "the app's permissions need an administrator's consent there",
        };
        var links = new List<Uri>();
        if (consent is not null)
        {
            links.Add(consent);
        }

        links.AddRange(GraphAuthRemediation.LinksFor(GraphAuthFailureCause.TenantNotOnboarded));
        if (customer)
        {
            return GraphAuthException.Create(new GraphAuthFailureDetails
            {
                Cause = GraphAuthFailureCause.TenantNotOnboarded,
                Message = $"Customer tenant {whereText} has not onboarded this app ({aadsts}): {what}.",
                Remediation = $"This customer has not onboarded the app; your app registration is not at fault, and other tenants are unaffected. The token endpoint answered {aadsts} for tenant {whereText}: an administrator of that tenant must grant admin consent with this link: {link}. Then retry; the next request for that tenant acquires a new token.",
                Scopes = scopes,
                HelpLinks = links,
                TokenEndpointError = errorCode,
                AadstsCode = aadsts,
                RequestId = correlationId,
                Evidence =
                [
                    $"The token endpoint answered {aadsts} for tenant {whereText}.",
                    tenant!.Source.HomeTenant is { } home
                        ? $"Tenant {whereText} is a customer tenant: the app's own tenant is {home}."
                        : $"Tenant {whereText} was asked for per request (SetGraphTenant or TenantResolver): a customer tenant.",
                ],
            });
        }

        return GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TenantNotOnboarded,
            Message = $"The app{(appId is null ? string.Empty : " " + appId)} was not found in tenant {whereText} ({aadsts}).",
            Remediation = $"{aadsts}: the app was not found in tenant {whereText}. If that is your app's own tenant, your app is misconfigured: check the client id and the authority's tenant (the app registration must live there, or be multi-tenant). If it is a customer's tenant, that customer has not onboarded the app: an administrator of that tenant must grant admin consent with this link: {link}.",
            Scopes = scopes,
            HelpLinks = links,
            TokenEndpointError = errorCode,
            AadstsCode = aadsts,
            RequestId = correlationId,
            Confidence = GraphAuthConfidence.Medium,
            AlternativeCauses = [GraphAuthFailureCause.TokenAcquisitionFailed],
            Evidence =
            [
                $"The token endpoint answered {aadsts} for tenant {whereText}.",
                "No customer tenant was asked for: the tenant may be the app's own (a misconfigured app) or a customer's configured as the authority.",
            ],
        });
    }

    /// <summary>Gets a tenant's admin consent link for the app (<c>https://{authority}/{tenant}/adminconsent?client_id={appId}</c>),
    /// or <see langword="null"/> when the tenant or the app id is unknown.</summary>
    /// <param name="authorityHost">The authority host, or <see langword="null"/> for the global cloud.</param>
    /// <param name="tenant">The tenant (GUID or domain).</param>
    /// <param name="appId">The application (client) id.</param>
    /// <returns>The link, or <see langword="null"/>.</returns>
    internal static Uri? AdminConsentUri(string? authorityHost, string? tenant, string? appId) =>
        tenant is null || appId is null || !Graph.GraphTenantId.TryNormalize(tenant, out var canonical) || !Guid.TryParse(appId, out var app)
            ? null
            : new Uri($"https://{authorityHost ?? TokenSourceTenants.GlobalAuthorityHost}/{canonical}/adminconsent?client_id={app:D}");

    /// <summary>Reads a GUID right after <paramref name="marker"/> in the first <see cref="MaxAadstsSearchLength"/>
    /// characters (Entra ID's "Application with identifier '{appId}' was not found in the directory '{tenant}'"); the
    /// directory may be written "Name (guid)", whose GUID is read. Nothing else of the text is kept.</summary>
    private static string? GuidAfter(string? text, string marker)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var span = text.AsSpan(0, Math.Min(text.Length, MaxAadstsSearchLength));
        var at = span.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var rest = span[(at + marker.Length)..];
        var end = rest.IndexOf('\'');
        var quoted = end < 0 ? rest : rest[..end];
        var open = quoted.LastIndexOf('(');
        var candidate = open >= 0 && quoted.EndsWith(")") ? quoted[(open + 1)..^1] : quoted;
        return Guid.TryParse(candidate, out var guid) ? guid.ToString("D") : null;
    }

    /// <summary>A token endpoint's refusal (what MSAL threw, or what a source of the application's own or of another
    /// library saw): an onboarding failure first (see <see cref="Onboarding"/>); then, for an answer that needs a
    /// person, consent or interaction; else the cause from the OAuth error, then the AADSTS number; a tenant policy code
    /// wins over both. Only the codes, the status and the correlation id are kept;
    /// <see cref="GraphTokenEndpointError.ErrorDescription"/> is only searched.</summary>
    /// <param name="error">What the token endpoint answered.</param>
    /// <param name="scopes">The scopes that were asked for.</param>
    /// <param name="requestedClaims">The claims (JSON) the acquisition tried to meet, carried when the answer has none.</param>
    /// <param name="tenant">The request's tenant and what the source knows of the app, or <see langword="null"/>.</param>
    /// <param name="needsUser">Whether the answer needs a person (MSAL threw <see cref="MsalUiRequiredException"/>), or
    /// <see langword="null"/> to decide as MSAL does (see <see cref="NeedsUser"/>).</param>
    /// <param name="detail">What else the message says of such an answer (MSAL's classification), or
    /// <see langword="null"/> for the answer's <c>suberror</c>.</param>
    /// <returns>The failure.</returns>
    internal static GraphAuthException FromTokenEndpoint(
        GraphTokenEndpointError error, IReadOnlyList<string> scopes, string? requestedClaims, TokenRequestTenant? tenant,
        bool? needsUser = null, string? detail = null)
    {
        var aadsts = AadstsCode(error.ErrorDescription);
        var correlationId = NullIfEmpty(error.CorrelationId);
        if (Onboarding(aadsts, error.ErrorDescription, tenant, scopes, correlationId, error.Error) is { } onboarding)
        {
            return onboarding;
        }

        var user = needsUser ?? NeedsUser(error.Error, error.Suberror);
        var cause = user
            ? IsConsent(error, aadsts) ? GraphAuthFailureCause.ConsentRequired : GraphAuthFailureCause.InteractionRequired
            : error.Error switch
            {
                "interaction_required" => GraphAuthFailureCause.InteractionRequired,
                "consent_required" => GraphAuthFailureCause.ConsentRequired,
                _ => aadsts switch
                {
                    "AADSTS65001" => GraphAuthFailureCause.ConsentRequired,
                    "AADSTS50076" or "AADSTS50079" or "AADSTS50158" => GraphAuthFailureCause.InteractionRequired,
                    _ => GraphAuthFailureCause.TokenAcquisitionFailed,
                },
            };
        if (IsPolicyBlock(aadsts))
        {
            cause = GraphAuthFailureCause.PolicyRestricted;
        }

        var source = NullIfEmpty(error.SourceName);
        var what = Describe(error.Error, aadsts);
        detail ??= NullIfEmpty(error.Suberror) is { } suberror ? "suberror " + suberror : null;
        var message = !user
            ? $"{(source is null ? "Could not" : source + " could not")} acquire a token for Microsoft Graph: {what}{(error.StatusCode is { } code ? string.Create(CultureInfo.InvariantCulture, $", status {(int)code}") : string.Empty)}."
            : cause == GraphAuthFailureCause.PolicyRestricted
                ? $"A tenant policy refused the token for Microsoft Graph ({what})."
                : $"Microsoft Graph needs the user to sign in interactively: {cause} ({what}{(detail is null ? string.Empty : ", " + detail)}).";
        var remediation = AadstsRemediation(aadsts)
            ?? (user ? null : ServiceRemediation(error.Error) ?? StatusRemediation(error.StatusCode))
            ?? GraphAuthRemediation.For(cause);
        var grants = ConsentGrants(cause, scopes);
        return GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = cause,
            Confidence = ConfidenceOf(cause, aadsts),
            AlternativeCauses = AlternativesOf(cause, aadsts),
            Message = source is null || !user ? message : $"{source}: {message}",
            Remediation = WithGrants(source is null ? remediation : $"{source} failed: {remediation}", grants),
            Grants = grants,
            StatusCode = error.StatusCode,
            Claims = NullIfEmpty(error.Claims) ?? requestedClaims,
            Scopes = scopes,
            TokenEndpointError = NullIfEmpty(error.Error),
            AadstsCode = aadsts,
            RequestId = correlationId,
        });
    }

    /// <summary>What MSAL read of the token endpoint's answer.</summary>
    private static GraphTokenEndpointError AnswerOf(MsalServiceException exception, string? suberror = null) => new()
    {
        StatusCode = exception.StatusCode > 0 ? (HttpStatusCode)exception.StatusCode : null,
        Error = exception.ErrorCode,
        Suberror = suberror,
        ErrorDescription = exception.Message,
        CorrelationId = exception.CorrelationId,
        Claims = exception.Claims,
    };

    /// <summary>Whether an answer needs a person to sign in, as MSAL decides it (the answers it throws
    /// <see cref="MsalUiRequiredException"/> for): <c>interaction_required</c>, or <c>invalid_grant</c> unless its
    /// <c>suberror</c> puts the fault with the client (<c>client_mismatch</c>, <c>protection_policy_required</c>).</summary>
    private static bool NeedsUser(string? error, string? suberror) =>
        error is "interaction_required" || (error is "invalid_grant" && suberror is not ("client_mismatch" or "protection_policy_required"));

    /// <summary>Whether an answer that needs a person asks for consent: <c>suberror</c> <c>consent_required</c>
    /// (MSAL's <see cref="UiRequiredExceptionClassification.ConsentRequired"/>), a consent AADSTS code, or the error
    /// <c>consent_required</c>.</summary>
    private static bool IsConsent(GraphTokenEndpointError error, string? aadsts) =>
        error.Suberror is "consent_required"
        || aadsts is "AADSTS65001" or "AADSTS65004" or "AADSTS90094" or "AADSTS90008"
        || error.Error is "consent_required";

    /// <summary>Consent missing: the Graph permissions among the scopes MSAL asked for, as delegated grants (a
    /// <c>/.default</c> request names none: it consents to what the app registration lists).</summary>
    private static IReadOnlyList<GraphPermissionGrant> ConsentGrants(GraphAuthFailureCause cause, IReadOnlyList<string> scopes) =>
        cause == GraphAuthFailureCause.ConsentRequired ? Grants.GraphPermissionGrants.For(scopes, GraphPermissionKind.Delegated, token: null) : [];

    private static string WithGrants(string remediation, IReadOnlyList<GraphPermissionGrant> grants) =>
        grants.Count == 0 ? remediation : remediation + " " + Grants.GraphPermissionGrants.Remediation(grants, token: null);

    /// <summary>Conditional access codes that block the token outright (a device that is not compliant, managed or
    /// joined; an app or location the policy refuses): no permission and no silent or interactive retry by this user
    /// on this device fixes them, only the policy or the device.</summary>
    /// <remarks>Entra ID's conditional access errors are the AADSTS53xxx family (53000 to 53004, 530002, 530003,
    /// 530032, 530084 token protection...); AADSTS50105 is the tenant's "assignment required" rule for the app.</remarks>
    private static bool IsPolicyBlock(string? aadsts) =>
        aadsts is "AADSTS50105" || (aadsts is { Length: >= 11 } && aadsts.StartsWith("AADSTS53", StringComparison.Ordinal));

    /// <summary>AADSTS65001 names no tenant: the consent missing may be in the app's own tenant (consent required) or in
    /// a customer's that never onboarded the app, which only the request's tenant tells (see <see cref="Onboarding"/>).
    /// <para>The device-state codes (AADSTS53000, 53001, 530003) are a block for a device the policy does not know,
    /// but a managed or compliant device proves its state in an interactive sign-in: the policy family, at Medium,
    /// with interaction as the alternative.</para>
    /// <para>An AADSTS code this library has no text for is "any other failure to get a token" by default, not by the
    /// endpoint's words: Medium.</para></summary>
    private static GraphAuthConfidence ConfidenceOf(GraphAuthFailureCause cause, string? aadsts) =>
        (cause == GraphAuthFailureCause.ConsentRequired && aadsts is "AADSTS65001") || IsDeviceState(aadsts)
            || (cause == GraphAuthFailureCause.TokenAcquisitionFailed && aadsts is not null && AadstsRemediation(aadsts) is null)
            ? GraphAuthConfidence.Medium
            : GraphAuthConfidence.High;

    private static IReadOnlyList<GraphAuthFailureCause>? AlternativesOf(GraphAuthFailureCause cause, string? aadsts) =>
        cause == GraphAuthFailureCause.ConsentRequired && aadsts is "AADSTS65001" ? [GraphAuthFailureCause.TenantNotOnboarded]
        : IsDeviceState(aadsts) ? [GraphAuthFailureCause.InteractionRequired]
        : null;

    private static bool IsDeviceState(string? aadsts) => aadsts is "AADSTS53000" or "AADSTS53001" or "AADSTS530003";

    private static string Describe(string? errorCode, string? aadsts) =>
        aadsts is null ? errorCode ?? "unknown error" : string.Create(CultureInfo.InvariantCulture, $"{aadsts} ({errorCode})");

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    internal static string? AadstsRemediation(string? aadsts) => aadsts switch
    {
        "AADSTS65001" => "Consent is missing: an administrator must grant consent to the app's permissions (Enterprise applications > Permissions > Grant admin consent), or the user must sign in interactively and consent.",
        "AADSTS50076" => "Multi-factor authentication is required: sign the user in interactively with the claims on this exception.",
        "AADSTS50079" => "The user must enrol in multi-factor authentication: sign the user in interactively with the claims on this exception.",
        "AADSTS53000" or "AADSTS53001" or "AADSTS530003" => "A conditional access policy requires a compliant, joined or managed device: no permission change fixes this. On a managed device, an interactive sign-in lets the device prove its state (then silent requests work again); otherwise use a device the policy accepts, or ask the tenant administrator which policy applies.",
        "AADSTS50105" => "The tenant requires users to be assigned to this app (Enterprise applications > Properties > Assignment required), and this user is not: an administrator must assign the user or a group, or turn the requirement off. No permission change fixes it.",
        "AADSTS53003" => "A conditional access policy blocked the token. Sign in interactively from a compliant device or location, or ask the tenant administrator which policy applies.",
        "AADSTS50158" => "An external security challenge must be met: sign the user in interactively.",
        "AADSTS700016" => "The application id was not found in the tenant: check the client id and tenant id, and that the app is registered (or consented) in that tenant.",
        "AADSTS7000215" => "The client secret is wrong: use the secret's Value (shown once when created), not its Secret ID, and check that it has not been replaced.",
        "AADSTS7000222" => "The client secret has expired: create a new secret in the app registration and deploy it.",
        "AADSTS700027" => "The client assertion (certificate) was not accepted: check that the certificate uploaded to the app registration matches the one used.",
        "AADSTS90002" => "The tenant was not found: check the tenant id or domain in the authority, and the cloud (public or national).",
        "AADSTS50173" => "The grant was revoked (password change or session revocation): the user must sign in again.",
        "AADSTS50126" => "The user name or password is wrong.",
        "AADSTS500011" => "The resource (scope) was not found in the tenant: check the scope's resource URI, for example https://graph.microsoft.com/.default.",
        "AADSTS70011" => "The scope is not valid: client credentials need '<resource>/.default', delegated flows need named scopes.",
        _ => null,
    };

    private static string? ServiceRemediation(string? errorCode) => errorCode switch
    {
        "invalid_client" => "The client credential was rejected: check the client secret value or certificate of the app registration.",
        "unauthorized_client" => "The application is not known to the tenant or may not use this flow: check the client id, tenant id and the app's platform settings.",
        "invalid_tenant" => "The tenant was not found: check the tenant id or domain in the authority.",
        "invalid_scope" => "The scope is not valid for this flow: client credentials need '<resource>/.default'.",
        "temporarily_unavailable" or "service_not_available" => "The token endpoint is unavailable; retries were exhausted. Try again later.",
        _ => ManagedIdentityRemediation(errorCode),
    };

    private static string? StatusRemediation(HttpStatusCode? status) => (int?)status switch
    {
        429 or >= 500 => "The token endpoint was unavailable after the token source's own retries; try again later.",
        _ => null,
    };

    private static string ClientRemediation(string? errorCode) => errorCode switch
    {
        "request_timeout" => "The token endpoint did not answer in time. Check connectivity to the authority host; the request can be retried later.",
        "invalid_json_claims_format" => "The claims handed to MSAL were not JSON. Claims from a challenge must be decoded from base64 first.",
        "user_null" or "no_account" => "No signed-in account is known: sign the user in interactively first.",
        _ when ManagedIdentityRemediation(errorCode) is { } managedIdentity => managedIdentity,
        _ => "MSAL could not complete the token request; check the application's configuration (authority, client id, credential).",
    };
    /// <summary>The managed identity endpoint's failures (MSAL's <c>MsalError</c> managed identity codes).</summary>
    private static string? ManagedIdentityRemediation(string? errorCode) => errorCode switch
    {
        "managed_identity_request_failed" or "invalid_managed_identity_response" or "managed_identity_response_parse_failure" =>
            "The managed identity endpoint refused the request: check that this identity (system-assigned, or the user-assigned client id, resource id or object id given to MSAL) is assigned to this Azure resource, and that the resource is 'https://graph.microsoft.com/.default'.",
        "managed_identity_unreachable_network" or "managed_identity_all_sources_unavailable" or "missing_managed_identity_env_var" or "invalid_managed_identity_endpoint" =>
            "No managed identity endpoint answered: this code is not running on an Azure resource with a managed identity (or its IDENTITY_ENDPOINT / IMDS endpoint is unreachable). Outside Azure, use another credential.",
        "user_assigned_managed_identity_not_supported" or "user_assigned_managed_identity_not_configurable_at_runtime" =>
            "This Azure environment does not accept a user-assigned identity from code: assign the identity in the resource's configuration, or use the system-assigned identity.",
        _ => null,
    };
}
