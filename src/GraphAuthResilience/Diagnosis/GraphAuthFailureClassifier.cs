using System.Net;
using GraphAuthResilience.Grants;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Turns one failed response into a <see cref="GraphAuthException"/>: the evidence readers read the request, Graph's
/// words and code, the token and the permission map; <see cref="GraphAuthDiagnosis"/> weighs their findings in its
/// documented order; the exception carries the cause, confidence, alternatives and the evidence that decided.
/// </summary>
internal static class GraphAuthFailureClassifier
{
    /// <summary>Classifies a failure, or returns <see langword="null"/> when the response is not an auth failure.</summary>
    public static GraphAuthException? Classify(GraphAuthFailureContext input, GraphPermissionCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var map = GraphPermissionMap.For(catalog ?? GraphPermissionCatalog.Default);
        var status = input.StatusCode;
        var body = input.Body;
        if (!IsClassifiedStatus(status, body.Code))
        {
            return null;
        }

        var words = GraphWordsReader.Read(body.Message, map);
        var code = GraphErrorCodeReader.Read(body.Code);
        if (status == HttpStatusCode.BadRequest && !IsAuthBadRequest(input.ClaimsJson, words, code))
        {
            return null;
        }

        var operation = map.Find(input.Method, input.RequestUri, input.RequestBodyProperties);
        if (operation is { SupportsDelegated: false, SupportsApplication: false })
        {
            operation = null; // Known path, but no permission recorded: say nothing the catalog cannot back.
        }

        var token = GraphTokenReader.Read(input.TokenSent, input.Token, input.RequestUri, input.Now);
        var findings = new GraphAuthFindings(
            GraphRequestReader.Read(input, operation),
            words,
            code,
            body.Code,
            token,
            GraphPermissionMapReader.Read(operation, token, map));
        var verdict = GraphAuthDiagnosis.Decide(findings, map);

        // The cause's generic remediation only where the detail does not already name the action.
        var remediation = verdict.DetailOnly
            ? verdict.Detail!
            : Compose(
                verdict.Detail,
                verdict.NamesAction ? null : GraphAuthRemediation.For(verdict.Cause),
                NoteFor(verdict.Cause, operation),
                ManagedIdentityNote(verdict.Cause, input.Token),
                AlternativesNote(verdict));
        var grants = verdict.Asked.Count == 0
            ? []
            : GraphPermissionGrants.For(verdict.Asked, input.Token is { IsAppOnly: true } ? GraphPermissionKind.Application : GraphPermissionKind.Delegated, input.Token);
        if (grants.Count > 0 && input.Token is not { IsManagedIdentity: true })
        {
            // What each route needs first and that a new token is needed (a managed identity's note says it already).
            remediation += " " + GraphPermissionGrants.Remediation(grants, input.Token);
        }

        var requestId = body.RequestId ?? input.RequestIdHeader;
        var clientRequestId = body.ClientRequestId ?? input.ClientRequestIdHeader;
        var date = body.Date is null ? string.Empty : ", date " + body.Date;
        return GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = verdict.Cause,
            Message = $"Microsoft Graph refused {DescribeRequest(input.Method, input.RequestUri, operation)} with {(int)status} {status}: {verdict.Cause} (code {body.Code ?? "none"}, request-id {requestId ?? "none"}{date}).",
            Remediation = remediation,
            StatusCode = status,
            GraphErrorCode = body.Code,
            RequestId = requestId,
            ClientRequestId = clientRequestId,
            Claims = input.ClaimsJson,
            RequiredPermissions = verdict.Required ?? operation?.RequiredFor(input.Token) ?? [],
            Token = input.Token,
            Confidence = verdict.Confidence,
            AlternativeCauses = verdict.Alternatives,
            Evidence = verdict.Evidence,
            Grants = grants,
        });
    }

    /// <summary>400, 401 and 403; and 404 when Graph says the mailbox cannot be reached (a license or mailbox problem).</summary>
    internal static bool IsClassifiedStatus(HttpStatusCode status, string? code) =>
        status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
        || (status == HttpStatusCode.NotFound && string.Equals(code, "MailboxNotEnabledForRESTAPI", StringComparison.OrdinalIgnoreCase));

    /// <summary>Says which request failed without ids, UPNs or query: the catalog template, or the path with id-like segments replaced.</summary>
    internal static string DescribeRequest(HttpMethod method, Uri? uri, GraphOperationPermissions? operation) =>
        operation is not null ? operation.Display : method.Method + " " + RedactPath(uri);

    /// <summary>The request path without version, query, ids or UPNs (<c>/users/{id}/messages</c>), safe for logs.</summary>
    internal static string RedactPath(Uri? uri) => GraphPath.Redact(uri);

    /// <summary>A 400 is an auth failure when it carries a claims challenge, an authentication code
    /// (<c>InvalidAuthenticationToken</c>, <c>AuthenticationError</c>...), or words about the token's kind, the
    /// account, the token's permissions or a policy.</summary>
    internal static bool IsAuthBadRequest(string? claims, GraphWordsFinding words, GraphCodeMeaning code) =>
        claims is not null
        || GraphErrorCodeReader.IsAuthenticationCode(code)
        || words.TokenKind != GraphTokenKindRefusal.None
        || words.PersonalAccountRefused
        || words.NoPermissions
        || words.UserMissingInToken
        || words.Policy != GraphPolicyKind.None;

    private static string? AlternativesNote(GraphAuthVerdict verdict)
    {
        if (verdict.Confidence != GraphAuthConfidence.Low || verdict.Alternatives.Count == 0)
        {
            return null;
        }

        return "This is a guess; also possible: " + string.Join("; ", verdict.Alternatives.Select(a => a + " (" + CheckFor(a) + ")")) + ".";
    }

    /// <summary>The check that tells a cause apart from the others.</summary>
    private static string CheckFor(GraphAuthFailureCause cause) => cause switch
    {
        GraphAuthFailureCause.InsufficientPermissions => "decode the token and compare its scp or roles with the permissions the API's reference page lists",
        GraphAuthFailureCause.UserNotPrivilegedOrLicensed => "try the same call signed in as an administrator with the same app; if it works, the user's role, license or access is the cause",
        GraphAuthFailureCause.PolicyRestricted => "ask an administrator about Exchange application access policies (Test-ApplicationAccessPolicy), conditional access (sign-in logs) and the tenant's settings",
        GraphAuthFailureCause.TokenTypeMismatch => "decode the token: an app-only token has roles and no scp; compare with the kinds of permission the API's reference page lists",
        GraphAuthFailureCause.PersonalAccountNotSupported => "decode the token: tid 9188040d-6c67-4c5b-b112-36a304b66dad is a personal account",
        GraphAuthFailureCause.InvalidToken => "send a freshly acquired token; if it works, the old one was revoked or damaged",
        _ => "retry later; if it persists, quote the request id to Microsoft support",
    };

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
}
