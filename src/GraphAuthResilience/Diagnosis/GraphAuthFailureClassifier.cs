using System.Globalization;
using System.Net;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Decides one <see cref="GraphAuthFailureCause"/> per failed response from the status, <c>WWW-Authenticate</c>,
/// Graph's JSON error, the token that was sent and the operation (matched against the permission catalog).
/// Order matters: a missing token, then audience and account type, then claims challenges, then expiry and
/// validity, then permissions (token kind, password reset, licenses, user privileges, missing permission).
/// </summary>
internal static class GraphAuthFailureClassifier
{
    /// <summary>Classifies a failure, or returns <see langword="null"/> when the response is not an auth failure.</summary>
    public static GraphAuthException? Classify(GraphAuthFailureContext input, GraphPermissionCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var status = input.StatusCode;
        if (status is not (HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
        {
            return null;
        }

        var body = input.Body;
        var claimsChallenge = ClaimsChallenge.Find(input.Challenges);
        if (status == HttpStatusCode.BadRequest && !IsAuthBadRequest(body, claimsChallenge is not null))
        {
            return null;
        }

        var operation = (catalog ?? GraphPermissionCatalog.Default).Find(input.Method, input.RequestUri, input.RequestBodyProperties);
        var (cause, detail, detailOnly) = Decide(input, claimsChallenge?.ClaimsJson, operation);
        var remediation = detailOnly ? detail! : Compose(detail, GraphAuthRemediation.For(cause), NoteFor(cause, operation), ManagedIdentityNote(cause, input.Token));
        var requestId = body.RequestId ?? input.RequestIdHeader;
        var clientRequestId = body.ClientRequestId ?? input.ClientRequestIdHeader;
        var date = body.Date is null ? string.Empty : ", date " + body.Date;
        return GraphAuthException.Create(
            cause,
            $"Microsoft Graph refused {DescribeRequest(input.Method, input.RequestUri, operation)} with {(int)status} {status}: {cause} (code {body.Code ?? "none"}, request-id {requestId ?? "none"}{date}).",
            remediation: remediation,
            statusCode: status,
            graphErrorCode: body.Code,
            requestId: requestId,
            clientRequestId: clientRequestId,
            claims: claimsChallenge?.ClaimsJson,
            requiredPermissions: operation?.LeastPrivileged,
            token: input.Token);
    }

    /// <summary>Says which request failed without ids, UPNs or query: the catalog template, or the path with id-like segments replaced.</summary>
    internal static string DescribeRequest(HttpMethod method, Uri? uri, GraphOperationPermissions? operation) =>
        operation is not null ? operation.Display : method.Method + " " + RedactPath(uri);

    /// <summary>The request path without version, query, ids or UPNs (<c>/users/{id}/messages</c>), safe for logs.</summary>
    internal static string RedactPath(Uri? uri) => GraphPath.Redact(uri);

    private static (GraphAuthFailureCause Cause, string? Detail, bool DetailOnly) Decide(GraphAuthFailureContext input, string? claims, GraphOperationPermissions? operation)
    {
        var status = input.StatusCode;
        var body = input.Body;
        var message = body.Message;
        var token = input.Token;

        // 1. No token at all.
        if ((!input.TokenSent && status == HttpStatusCode.Unauthorized) || Contains(message, "Access token is empty"))
        {
            return (GraphAuthFailureCause.MissingToken, "The request reached Graph without a bearer token (no Authorization: Bearer header, or an empty one).", false);
        }

        // 2. Audience, then account type: another token from the same source cannot fix either.
        if (token is not null && WrongAudience(token, input.RequestUri) is { } audience)
        {
            return (GraphAuthFailureCause.WrongAudience, audience, false);
        }

        if (Contains(message, "Invalid audience"))
        {
            return (GraphAuthFailureCause.WrongAudience, $"Graph said the token's audience is invalid (the token's aud is '{token?.Audience ?? "unknown"}').", false);
        }

        var msaMessage = Contains(message, "not supported for MSA");
        if (msaMessage || (token is { IsPersonalAccount: true } && operation?.PersonalAccounts != true))
        {
            var what = operation is { PersonalAccounts: false } ? operation.Display + " works with work or school accounts only" : "this API refused it as an API for work or school accounts only";
            return (GraphAuthFailureCause.PersonalAccountNotSupported,
                $"The token belongs to a personal Microsoft account (tid {GraphTokenInfo.PersonalAccountTenantId}); {what}.", false);
        }

        // 3. A claims challenge (CAE, conditional access) that the one replay did not meet.
        if (claims is not null || Contains(message, "ClaimsChallengeRequired") || Contains(message, "claims challenge"))
        {
            if (input.BodyNotReplayable)
            {
                return (GraphAuthFailureCause.UnsatisfiedClaimsChallenge,
                    "The request body could not be replayed (a stream of unknown length or above MaxReplayBufferBytes), so the claims challenge was not met automatically: buffer the body (or raise GraphAuthOptions.MaxReplayBufferBytes) and send the request again; the chain will then meet the challenge itself. If Graph challenges again, run an interactive sign-in passing the Claims on this exception (MSAL WithClaims).",
                    true);
            }

            var detail = input.Replayed
                ? "Graph challenged again after the request was replayed with a token acquired for the claims, so a silent token request cannot meet them."
                : claims is null ? "Graph demanded a claims challenge but sent no claims the chain could use (an interactive sign-in lets the user meet the policy)." : null;
            return (GraphAuthFailureCause.UnsatisfiedClaimsChallenge, detail, false);
        }

        // 4. Expiry and validity: a 401, or any status Graph labels InvalidAuthenticationToken, about the token itself.
        var aboutToken = status == HttpStatusCode.Unauthorized
            || string.Equals(body.Code, "InvalidAuthenticationToken", StringComparison.OrdinalIgnoreCase);
        if (aboutToken && !IsLicenseOrMailbox(body))
        {
            var refresh = input.BodyNotReplayable
                ? " The request body could not be replayed, so the request was not retried with a fresh token: buffer the body and send it again."
                : input.Replayed ? " A freshly acquired token was refused too." : string.Empty;
            if (token?.ExpiresOn is { } exp && exp <= input.Now)
            {
                return (GraphAuthFailureCause.ExpiredToken,
                    string.Create(CultureInfo.InvariantCulture, $"The token expired at {exp:u} (now {input.Now:u}).{refresh}"), false);
            }

            if (Contains(message, "expired") || Contains(message, "Lifetime validation failed"))
            {
                return (GraphAuthFailureCause.ExpiredToken, "Graph said the token has expired or is not yet valid." + refresh, false);
            }

            if (token is not null && operation is not null && !operation.SupportsTokenKind(token))
            {
                return (GraphAuthFailureCause.TokenTypeMismatch, KindMismatch(token, operation), false);
            }

            var what = token is null ? "The token that was sent is not a readable JWT (malformed, encrypted or opaque)." : "Graph refused the token (bad signature, revoked, wrong tenant or cloud).";
            return (GraphAuthFailureCause.InvalidToken, what + refresh, false);
        }

        // 5. Permissions: the kind of token, password resets, the user's licenses and roles, the permission itself.
        if (operation is { PasswordReset: true } && token is { IsAppOnly: true })
        {
            return (GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin,
                $"The token is app-only ({Held(token)}); {operation.DescribeNeeds()}.", false);
        }

        if (token is not null && operation is not null && !operation.SupportsTokenKind(token))
        {
            return (GraphAuthFailureCause.TokenTypeMismatch, KindMismatch(token, operation), false);
        }

        if (Contains(message, "only valid with delegated authentication flow"))
        {
            return (GraphAuthFailureCause.TokenTypeMismatch,
                $"Graph said the call is only valid with a delegated token{(token is null ? string.Empty : "; the token is " + (token.IsAppOnly ? "app-only" : "delegated") + " (" + Held(token) + ")")}.", false);
        }

        if (IsLicenseOrMailbox(body))
        {
            return (GraphAuthFailureCause.UserNotPrivilegedOrLicensed, LicenseDetail(body), false);
        }

        if (token is not null && operation?.AcceptedPermissionHeld(token) is { } held)
        {
            if (!token.IsAppOnly)
            {
                return (GraphAuthFailureCause.UserNotPrivilegedOrLicensed,
                    $"The token has {Held(token)}, and {held} is enough for {operation.Display}, so the app is permitted: Graph refused the signed-in user.", false);
            }

            return (GraphAuthFailureCause.InsufficientPermissions,
                $"The token has {Held(token)}, and {held} is accepted by {operation.Display}, yet Graph refused: check that admin consent was granted in this tenant before the token was issued, and the limits of the permission.", false);
        }

        if (token is { Scopes.Count: 0, Roles.Count: 0 })
        {
            return (GraphAuthFailureCause.InsufficientPermissions,
                $"The token carries no permission at all (neither scp nor roles){(operation is null ? string.Empty : "; " + operation.DescribeNeeds())}. For app-only tokens, add application permissions and grant admin consent.", false);
        }

        var has = token is not null ? "The token has " + Held(token) : input.TokenSent ? "The token could not be read" : "No bearer token was sent";
        var needs = operation is null
            ? $"the permission catalog does not know {DescribeRequest(input.Method, input.RequestUri, null)}: look up its least-privileged permission on the API's reference page"
            : operation.DescribeNeeds();
        return (GraphAuthFailureCause.InsufficientPermissions, $"{has}; {needs}.", false);
    }

    private static string? WrongAudience(GraphTokenInfo token, Uri? requestUri)
    {
        if (!token.IsGraphAudience)
        {
            return $"The token's audience is '{token.Audience ?? "(none)"}' ({GraphClouds.AudienceName(token.Audience)}), not Microsoft Graph.";
        }

        if (Uri.TryCreate(token.Audience, UriKind.Absolute, out var audience) && requestUri is { IsAbsoluteUri: true }
            && GraphClouds.CloudOf(audience.Host) is { } tokenCloud && GraphClouds.CloudOf(requestUri.Host) is { } requestCloud
            && !string.Equals(tokenCloud, requestCloud, StringComparison.Ordinal))
        {
            return $"The token is for {audience.Host} but the request went to {requestUri.Host}: a token of one cloud cannot call another.";
        }

        return null;
    }

    private static string KindMismatch(GraphTokenInfo token, GraphOperationPermissions operation) => token.IsAppOnly
        ? $"The token is app-only ({Held(token)}); {operation.DescribeNeeds()}. Call it with a signed-in user's delegated token{(operation.PathTemplate.StartsWith("/me", StringComparison.OrdinalIgnoreCase) ? ", or use /users/{id} instead of /me with an app-only token where the operation allows it" : string.Empty)}."
        : $"The token is delegated ({Held(token)}); {operation.DescribeNeeds()}. Call it with an app-only token (client credentials).";

    private static string Held(GraphTokenInfo token) => token.IsAppOnly
        ? "roles=" + (token.Roles.Count == 0 ? "(none)" : string.Join(' ', token.Roles))
        : "scp=" + (token.Scopes.Count == 0 ? "(none)" : string.Join(' ', token.Scopes));

    private static string LicenseDetail(GraphErrorBody body)
    {
        if (string.Equals(body.Code, "MailboxNotEnabledForRESTAPI", StringComparison.OrdinalIgnoreCase) || Contains(body.Message, "mailbox"))
        {
            return "The user has no Exchange Online mailbox that Graph can reach (inactive, soft-deleted, on-premises, or no license with Exchange Online).";
        }

        if (string.Equals(body.Code, "Authentication_RequestFromNonPremiumTenantOrB2CTenant", StringComparison.OrdinalIgnoreCase))
        {
            return "The tenant lacks the Microsoft Entra ID P1/P2 license this data needs (or is a B2C tenant).";
        }

        return "The user has no license (for example Microsoft 365 with Teams or Exchange) for this data.";
    }

    private static string? NoteFor(GraphAuthFailureCause cause, GraphOperationPermissions? operation) =>
        operation?.Note is { } note && cause is GraphAuthFailureCause.InsufficientPermissions or GraphAuthFailureCause.TokenTypeMismatch
            or GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin or GraphAuthFailureCause.UserNotPrivilegedOrLicensed
            ? "Note for " + operation.Display + ": " + note
            : null;

    private static string? ManagedIdentityNote(GraphAuthFailureCause cause, GraphTokenInfo? token) =>
        cause == GraphAuthFailureCause.InsufficientPermissions && token is { IsManagedIdentity: true }
            ? "The token belongs to a managed identity: grant the app role to its service principal (an app role assignment, not an app registration's API permissions). The managed identity endpoint caches tokens, so a role granted recently can be missing from its tokens for up to 24 hours; a forced refresh cannot get it sooner."
            : null;

    private static string Compose(params string?[] parts) => string.Join(' ', parts.Where(p => !string.IsNullOrEmpty(p)));

    private static bool IsLicenseOrMailbox(GraphErrorBody body) =>
        string.Equals(body.Code, "MailboxNotEnabledForRESTAPI", StringComparison.OrdinalIgnoreCase)
        || string.Equals(body.Code, "Authentication_RequestFromNonPremiumTenantOrB2CTenant", StringComparison.OrdinalIgnoreCase)
        || Contains(body.Message, "license information")
        || Contains(body.Message, "valid Office365 license")
        || Contains(body.Message, "REST API is not yet supported for this mailbox");

    private static bool IsAuthBadRequest(GraphErrorBody body, bool claimsChallenge) =>
        claimsChallenge
        || Contains(body.Message, "only valid with delegated authentication flow")
        || Contains(body.Message, "not supported for MSA")
        || string.Equals(body.Code, "InvalidAuthenticationToken", StringComparison.OrdinalIgnoreCase);

    private static bool Contains(string? text, string value) =>
        text is not null && text.Contains(value, StringComparison.OrdinalIgnoreCase);
}
