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
    public static GraphAuthException Map(
        Exception exception, IReadOnlyList<string> scopes, string? requestedClaims = null, bool keepApplicationException = false) => exception switch
    {
        GraphAuthException graph => graph,
        MsalUiRequiredException ui => FromUiRequired(ui, scopes, requestedClaims),
        MsalServiceException service => FromService(service, scopes, requestedClaims),
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

    private static GraphAuthException FromUiRequired(MsalUiRequiredException ui, IReadOnlyList<string> scopes, string? requestedClaims)
    {
        var aadsts = AadstsCode(ui.Message);
        var consent = ui.Classification == UiRequiredExceptionClassification.ConsentRequired
            || aadsts is "AADSTS65001" or "AADSTS65004" or "AADSTS90094" or "AADSTS90008"
            || string.Equals(ui.ErrorCode, "consent_required", StringComparison.Ordinal);
        var cause = consent ? GraphAuthFailureCause.ConsentRequired : GraphAuthFailureCause.InteractionRequired;
        return GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = cause,
            Message = $"Microsoft Graph needs the user to sign in interactively: {cause} ({Describe(ui.ErrorCode, aadsts)}, classification {ui.Classification}).",
            Remediation = AadstsRemediation(aadsts) ?? GraphAuthRemediation.For(cause),
            StatusCode = ui.StatusCode > 0 ? (HttpStatusCode)ui.StatusCode : null,
            Claims = string.IsNullOrEmpty(ui.Claims) ? requestedClaims : ui.Claims,
            Scopes = scopes,
            TokenEndpointError = ui.ErrorCode,
            AadstsCode = aadsts,
            RequestId = NullIfEmpty(ui.CorrelationId),
        });
    }

    private static GraphAuthException FromService(MsalServiceException service, IReadOnlyList<string> scopes, string? requestedClaims)
    {
        var aadsts = AadstsCode(service.Message);
        var cause = service.ErrorCode switch
        {
            "interaction_required" => GraphAuthFailureCause.InteractionRequired,
            "consent_required" => GraphAuthFailureCause.ConsentRequired,
            _ => aadsts switch
            {
                "AADSTS65001" => GraphAuthFailureCause.ConsentRequired,
                "AADSTS50076" or "AADSTS50079" or "AADSTS53003" or "AADSTS50158" => GraphAuthFailureCause.InteractionRequired,
                _ => GraphAuthFailureCause.TokenAcquisitionFailed,
            },
        };
        var claims = string.IsNullOrEmpty(service.Claims) ? requestedClaims : service.Claims;
        return GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = cause,
            Message = $"Could not acquire a token for Microsoft Graph: {Describe(service.ErrorCode, aadsts)}, status {service.StatusCode}.",
            Remediation = AadstsRemediation(aadsts) ?? ServiceRemediation(service.ErrorCode) ?? GraphAuthRemediation.For(cause),
            StatusCode = service.StatusCode > 0 ? (HttpStatusCode)service.StatusCode : null,
            Claims = claims,
            Scopes = scopes,
            TokenEndpointError = service.ErrorCode,
            AadstsCode = aadsts,
            RequestId = NullIfEmpty(service.CorrelationId),
        });
    }

    private static string Describe(string? errorCode, string? aadsts) =>
        aadsts is null ? errorCode ?? "unknown error" : string.Create(CultureInfo.InvariantCulture, $"{aadsts} ({errorCode})");

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    internal static string? AadstsRemediation(string? aadsts) => aadsts switch
    {
        "AADSTS65001" => "Consent is missing: an administrator must grant consent to the app's permissions (Enterprise applications > Permissions > Grant admin consent), or the user must sign in interactively and consent.",
        "AADSTS50076" => "Multi-factor authentication is required: sign the user in interactively with the claims on this exception.",
        "AADSTS50079" => "The user must enrol in multi-factor authentication: sign the user in interactively with the claims on this exception.",
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
