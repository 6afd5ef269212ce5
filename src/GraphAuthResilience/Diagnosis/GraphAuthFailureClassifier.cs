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
        catalog ??= GraphPermissionCatalog.Default;
        var status = input.StatusCode;
        var body = input.Body;
        if (!IsClassifiedStatus(status, body.Code))
        {
            return null;
        }

        var claims = input.ClaimsJson; // decoded once, by whoever parsed the challenges
        var evidence = GraphErrorEvidence.Read(body, catalog);
        if (status == HttpStatusCode.BadRequest && !IsAuthBadRequest(body, evidence, claims is not null))
        {
            return null;
        }

        var operation = catalog.Find(input.Method, input.RequestUri, input.RequestBodyProperties);
        if (operation is { SupportsDelegated: false, SupportsApplication: false })
        {
            operation = null; // Known path, but no permission recorded: say nothing the catalog cannot back.
        }

        var decision = Decide(input, claims, operation, evidence, catalog);
        // The cause's generic remediation only where the detail does not already name the action: after "add X as
        // an application permission, grant admin consent" it would repeat it, and after "the token holds X, which
        // the call accepts" its "add the permission" would contradict it.
        var remediation = decision.DetailOnly
            ? decision.Detail!
            : Compose(decision.Detail, decision.NamesAction ? null : GraphAuthRemediation.For(decision.Cause), NoteFor(decision.Cause, operation), ManagedIdentityNote(decision.Cause, input.Token));
        var requestId = body.RequestId ?? input.RequestIdHeader;
        var clientRequestId = body.ClientRequestId ?? input.ClientRequestIdHeader;
        var date = body.Date is null ? string.Empty : ", date " + body.Date;
        return GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = decision.Cause,
            Message = $"Microsoft Graph refused {DescribeRequest(input.Method, input.RequestUri, operation)} with {(int)status} {status}: {decision.Cause} (code {body.Code ?? "none"}, request-id {requestId ?? "none"}{date}).",
            Remediation = remediation,
            StatusCode = status,
            GraphErrorCode = body.Code,
            RequestId = requestId,
            ClientRequestId = clientRequestId,
            Claims = claims,
            RequiredPermissions = decision.Required ?? operation?.RequiredFor(input.Token) ?? [],
            Token = input.Token,
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

    private static Decision Decide(GraphAuthFailureContext input, string? claims, GraphOperationPermissions? operation, GraphErrorEvidence evidence, GraphPermissionCatalog catalog)
    {
        var status = input.StatusCode;
        var body = input.Body;
        var message = body.Message;
        var token = input.Token;

        // 1. No token at all.
        if ((!input.TokenSent && status == HttpStatusCode.Unauthorized) || evidence.EmptyToken)
        {
            return new(GraphAuthFailureCause.MissingToken, "The request reached Graph without a bearer token (no Authorization: Bearer header, or an empty one): check what the Authorization header actually carries.");
        }

        // 2. Token facts before anything Graph's message suggests: audience, then expiry.
        if (token is not null && WrongAudience(token, input.RequestUri) is { } audience)
        {
            return new(GraphAuthFailureCause.WrongAudience, audience);
        }

        if (token is { IsPersonalAccount: true } && operation is { PersonalAccounts: false })
        {
            return new(GraphAuthFailureCause.PersonalAccountNotSupported,
                $"The token belongs to a personal Microsoft account (tid {GraphTokenInfo.PersonalAccountTenantId}) and {operation.Display} has no permission for personal accounts (work or school accounts only).");
        }

        var refresh = input.BodyNotReplayable
            ? " The request body could not be replayed, so the request was not retried with a fresh token: buffer the body and send it again."
            : input.Replayed ? " A freshly acquired token was refused too." : string.Empty;
        if (token?.ExpiresOn is { } exp && exp <= input.Now)
        {
            return new(GraphAuthFailureCause.ExpiredToken,
                string.Create(CultureInfo.InvariantCulture, $"The token expired at {exp:u} (now {input.Now:u}).{refresh}"));
        }

        if (Contains(message, "Invalid audience"))
        {
            return new(GraphAuthFailureCause.WrongAudience, $"Graph said the token's audience is invalid (the token's aud is '{token?.Audience ?? "unknown"}').");
        }

        // 3. Account type: another token from the same source cannot fix it.
        if (evidence.PersonalAccountRefused
            || (token is { IsPersonalAccount: true } && (operation is null ? status == HttpStatusCode.Unauthorized : !operation.PersonalAccounts)))
        {
            var what = operation is { PersonalAccounts: false }
                ? operation.Display + " has no permission for personal accounts (work or school accounts only)"
                : "Graph refused it as an API for work or school accounts only";
            return new(GraphAuthFailureCause.PersonalAccountNotSupported,
                $"The token belongs to a personal Microsoft account (tid {GraphTokenInfo.PersonalAccountTenantId}) and {what}.");
        }

        // 4. A claims challenge (CAE, conditional access) that the one replay did not meet.
        if (claims is not null || Contains(message, "ClaimsChallengeRequired") || Contains(message, "claims challenge"))
        {
            if (input.BodyNotReplayable)
            {
                return new(GraphAuthFailureCause.UnsatisfiedClaimsChallenge,
                    "The request body could not be replayed (a stream of unknown length or above MaxReplayBufferBytes), so the claims challenge was not met automatically: buffer the body (or raise GraphAuthOptions.MaxReplayBufferBytes) and send the request again; the chain will then meet the challenge itself. If Graph challenges again, run an interactive sign-in passing the Claims on this exception (MSAL WithClaims).",
                    DetailOnly: true);
            }

            var detail = input.Replayed
                ? "Graph challenged again after the request was replayed with a token acquired for the claims, so a silent token request cannot meet them."
                : claims is null ? "Graph demanded a claims challenge but sent no claims the chain could use (an interactive sign-in lets the user meet the policy)." : null;
            return new(GraphAuthFailureCause.UnsatisfiedClaimsChallenge, detail);
        }

        // 5. Graph could not even parse or verify the token: what it carries does not matter.
        if (evidence.MalformedToken)
        {
            return new(GraphAuthFailureCause.InvalidToken,
                (token is null
                    ? "The token that was sent is not a readable JWT (an opaque personal-account token, an ID token's reference, a truncated or wrongly copied value): send the access token MSAL returns for Microsoft Graph."
                    : "Graph could not parse or verify the token (" + Shorten(message) + "): send the access token MSAL returns for Microsoft Graph, unchanged.") + refresh);
        }

        // 6. Graph's own words that the call needs a signed-in user beat what the app-only token lacks.
        if (evidence.AppOnlyNotSupported && (token is null || token.IsAppOnly) && operation is not { PasswordReset: true })
        {
            return new(GraphAuthFailureCause.TokenTypeMismatch,
                operation is not null && token is not null
                    ? KindMismatch(token, operation)
                    : $"Graph said the call needs a signed-in user (delegated token){(token is null ? string.Empty : "; the token is app-only (" + Held(token) + ")")}. Use a delegated flow, or /users/{{id}} instead of /me where the API allows application permissions.",
                NamesAction: true);
        }

        // 7. A token with neither scp nor roles: nothing was granted or consented.
        if ((token is { Scopes.Count: 0, Roles.Count: 0 }) || (token is null && evidence.NoPermissionsInToken))
        {
            var needs = operation is null ? string.Empty : " " + operation.DescribeNeeds(token) + ".";
            var kind = token is { IsAppOnly: false }
                ? "Request the delegated permission (scope) when signing the user in and let the user (or an administrator) consent."
                : "Add application permissions (not delegated ones) to the app registration and grant admin consent, then acquire a new token: a client-credentials token carries roles only for consented application permissions.";
            return new(GraphAuthFailureCause.InsufficientPermissions,
                $"The token carries no permission at all (neither scp nor roles): nothing was granted or consented to this app.{needs} {kind}",
                Required: operation?.RequiredFor(token) ?? evidence.NamedPermissions,
                NamesAction: true);
        }

        // 8. Validity: a 401, or any status Graph labels InvalidAuthenticationToken, about the token itself.
        var aboutToken = status == HttpStatusCode.Unauthorized
            || string.Equals(body.Code, "InvalidAuthenticationToken", StringComparison.OrdinalIgnoreCase);
        if (aboutToken && evidence.License is null && !evidence.NoPermissionsInToken)
        {
            if (evidence.Expired)
            {
                return new(GraphAuthFailureCause.ExpiredToken, "Graph said the token has expired or is not yet valid." + refresh);
            }

            if (token is not null && operation is not null && !operation.SupportsTokenKind(token))
            {
                return new(GraphAuthFailureCause.TokenTypeMismatch, KindMismatch(token, operation), NamesAction: true);
            }

            var what = token is null
                ? "The token that was sent is not a readable JWT (an opaque personal-account token, an ID token's reference, a truncated or wrongly copied value): send the access token MSAL returns for Microsoft Graph."
                : token.IsPersonalAccount
                    ? "Graph refused the token of a personal Microsoft account; Microsoft's map lists personal-account permissions for this operation, so the account type alone does not explain it: check that the token is the one MSAL returned for Microsoft Graph scopes and is not revoked."
                    : "Graph refused the token (bad signature, revoked, wrong tenant or cloud).";
            return new(GraphAuthFailureCause.InvalidToken, what + refresh);
        }

        if (evidence.NoPermissionsInToken)
        {
            return new(GraphAuthFailureCause.InsufficientPermissions,
                "Graph said the token carries no permission it understands: nothing was granted or consented for this call." + (operation is null ? string.Empty : " " + operation.DescribeNeeds(token) + "."));
        }

        // 9. Password operations: no application permission alone resets a password.
        if (operation is { PasswordReset: true } && token is { IsAppOnly: true })
        {
            return new(GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin,
                $"The token is app-only ({Held(token)}); {operation.DescribeNeeds(token)}. Call it with a delegated token of a signed-in administrator allowed to reset this user's password{(operation.SupportsApplication ? ", or assign the app's service principal the User Administrator (or Privileged Authentication Administrator) role" : string.Empty)}.");
        }

        // 10. App-only refusals the catalog knows of.
        if (token is not null && operation is not null && !operation.SupportsTokenKind(token))
        {
            return new(GraphAuthFailureCause.TokenTypeMismatch, KindMismatch(token, operation), NamesAction: true);
        }

        // 11. Protected APIs: permission and consent are not enough, Microsoft must approve the app.
        if (evidence.ProtectedApi || (operation is { ProtectedApi: true } && token is { IsAppOnly: true } && operation.AcceptedPermissionHeld(token) is not null))
        {
            return new(GraphAuthFailureCause.InsufficientPermissions,
                $"This is a protected API in application-only context: besides {(operation?.LeastFor(GraphPermissionScheme.Application)?.Name ?? "the application permission")} the app must be approved by Microsoft (request access to Teams protected APIs, https://learn.microsoft.com/graph/teams-protected-apis), or use resource-specific consent (RSC) in the teams or chats where the app is installed, or call it with a delegated token.",
                Required: evidence.NamedPermissions.Count > 0 ? evidence.NamedPermissions : null,
                NamesAction: true);
        }

        // 12. The permission Graph's message names is the strongest evidence there is. The one to add is the first
        // named that exists for the token's kind (Graph lists delegated and application permissions together).
        if (evidence.NamedPermissions.Count > 0 && evidence.License is null && evidence.Role is null)
        {
            var named = evidence.NamedPermissions;
            var scheme = token is { IsAppOnly: true } ? GraphPermissionScheme.Application : GraphPermissionScheme.DelegatedWork;
            var kind = scheme == GraphPermissionScheme.Application ? "an application permission" : "a delegated permission";
            var known = named.Select(catalog.Permission).ToList();
            var index = known.FindIndex(p => p is null || p.Exists(scheme));
            if (index < 0 && token is not null)
            {
                // Every permission Graph names is one the catalog knows, and none exists for this kind of token: Graph
                // (Teams) names the delegated permissions to an app-only token too. Say what this kind needs instead.
                var counterpart = operation?.LeastFor(scheme)?.Name;
                var instead = counterpart is null
                    ? $"add the {(scheme == GraphPermissionScheme.Application ? "application" : "delegated")} permission of the same family the API's reference page lists, grant admin consent, then acquire a new token."
                    : token.Scopes.Concat(token.Roles).Contains(counterpart, StringComparer.OrdinalIgnoreCase)
                        ? $"the catalog lists {counterpart} for {operation!.Display}, which the token has: check that admin consent was granted in this tenant before the token was issued (or the resource-specific consent of the team or chat)."
                        : $"the catalog lists {counterpart} for {operation!.Display}: add it as {kind}, grant admin consent, then acquire a new token.";
                return new(GraphAuthFailureCause.InsufficientPermissions,
                    $"Graph says the call needs one of {string.Join(", ", named)}; the token has {Held(token)}. None of them exists as {kind}; {instead}",
                    Required: named,
                    NamesAction: true);
            }

            var add = named[Math.Max(index, 0)];
            var first = known[Math.Max(index, 0)];
            var consent = first is null ? string.Empty
                : first.RequiresAdminConsent(scheme) ? " (needs admin consent)" : " (users can consent)";
            return new(GraphAuthFailureCause.InsufficientPermissions,
                $"Graph says the call needs one of {string.Join(", ", named)}; {(token is null ? "the token could not be read" : "the token has " + Held(token))}. Add {add}{consent} as {kind}, {(first?.RequiresAdminConsent(scheme) != false ? "grant admin consent" : "let the user consent")}, then acquire a new token.",
                Required: named,
                NamesAction: true);
        }

        // 13. Refusals about the signed-in user (or tenant): license, mailbox, directory role.
        if (evidence.License is { } license)
        {
            return new(GraphAuthFailureCause.UserNotPrivilegedOrLicensed, license);
        }

        if (evidence.Role is { } role)
        {
            return new(GraphAuthFailureCause.UserNotPrivilegedOrLicensed,
                role + ": assign the signed-in user a directory role this API allows (for reports: Reports Reader, Security Reader, Global Reader...), or have a user who holds one sign in.");
        }

        // 14. The token holds a permission the operation accepts: the refusal is about something else.
        if (token is not null && operation?.AcceptedPermissionHeld(token) is { } held)
        {
            if (!token.IsAppOnly)
            {
                return new(GraphAuthFailureCause.UserNotPrivilegedOrLicensed,
                    $"The token has {Held(token)}, and {held} is enough for {operation.Display}, so the app is permitted: Graph refused the signed-in user (a directory role, a license, group or team membership, or access to this site or mailbox).");
            }

            if (string.Equals(held, "Sites.Selected", StringComparison.OrdinalIgnoreCase))
            {
                return new(GraphAuthFailureCause.InsufficientPermissions,
                    $"The token has roles=Sites.Selected, which works only on sites granted to this app one by one: have an administrator grant the app this site (POST /sites/{{site-id}}/permissions with roles read or write), or add {operation.LeastFor(GraphPermissionScheme.Application)?.Name ?? "Sites.Read.All"} for tenant-wide access.",
                    NamesAction: true);
            }

            if (held.EndsWith(".OwnedBy", StringComparison.OrdinalIgnoreCase))
            {
                var wider = held[..^".OwnedBy".Length] + ".All";
                return new(GraphAuthFailureCause.InsufficientPermissions,
                    $"The token has {Held(token)}; {held} covers only objects the app owns: add the app's service principal as an owner of this object, or grant {wider} with admin consent, then acquire a new token (a token issued before the consent does not carry it).",
                    NamesAction: true);
            }

            if (evidence.PermissionRefusalCode || (status == HttpStatusCode.Forbidden && body.Code is null))
            {
                return new(GraphAuthFailureCause.InsufficientPermissions,
                    $"The token has {Held(token)}, and {held} is accepted by {operation.Display}, yet Graph refused: check that admin consent was granted in this tenant before the token was issued, and the limits of the permission (an Exchange application access policy limiting the app to some mailboxes, Sites.Selected grants, resource-specific consent).",
                    NamesAction: true);
            }

            return new(GraphAuthFailureCause.Unknown,
                $"The token has {Held(token)}, which {operation.Display} accepts, and Graph answered code '{body.Code ?? "none"}' ('{Shorten(message)}'), which is not a known permission refusal: this may be a service-side problem. Retry later; if it persists, quote the request id to Microsoft support.",
                Required: []);
        }

        // 15. Sites.Selected held where it does not apply (listing or searching sites).
        if (token is { IsAppOnly: true } && token.Roles.Contains("Sites.Selected", StringComparer.OrdinalIgnoreCase))
        {
            var needs = operation is null ? string.Empty : " " + operation.DescribeNeeds(token) + ".";
            return new(GraphAuthFailureCause.InsufficientPermissions,
                $"The token has roles=Sites.Selected, which covers only sites granted to the app, addressed by id or path: it does not cover listing or searching sites ({DescribeRequest(input.Method, input.RequestUri, operation)}).{needs} Address the granted site directly (GET /sites/{{hostname}}:/sites/{{path}}), or add a tenant-wide permission.",
                NamesAction: true);
        }

        // 16. The permission is missing.
        var has = token is not null ? "The token has " + Held(token) : input.TokenSent ? "The token could not be read" : "No bearer token was sent";
        if (operation is not null)
        {
            var action = AddAction(operation, token);
            return new(GraphAuthFailureCause.InsufficientPermissions, $"{has}; {operation.DescribeNeeds(token)}. {action}", NamesAction: action.Length > 0);
        }

        if (evidence.PermissionRefusalCode || status == HttpStatusCode.Forbidden && body.Code is null)
        {
            return new(GraphAuthFailureCause.InsufficientPermissions,
                $"{has}; the permission catalog does not know {DescribeRequest(input.Method, input.RequestUri, null)}: look up its least-privileged permission on the API's reference page.");
        }

        return new(GraphAuthFailureCause.Unknown,
            $"{has}; Graph answered {(int)status} with code '{body.Code ?? "none"}' ('{Shorten(message)}'), which this library does not recognise, for an operation the permission catalog does not know. Check the API's reference page for its permissions and quote the request id to Microsoft support.",
            Required: []);
    }

    /// <summary>Add X (application permission, admin consent) to the app registration, grant admin consent, then acquire a new token.</summary>
    private static string AddAction(GraphOperationPermissions operation, GraphTokenInfo? token)
    {
        var scheme = token is null ? GraphPermissionScheme.DelegatedWork : GraphOperationPermissions.SchemeOf(token);
        if (operation.LeastFor(scheme) is not { } grant)
        {
            return string.Empty;
        }

        var admin = grant.Permission.RequiresAdminConsent(scheme);
        var kind = scheme == GraphPermissionScheme.Application ? "an application permission" : "a delegated permission";
        return grant.Permission.IsResourceSpecific
            ? $"{grant.Name} is a resource-specific consent (RSC) permission: declare it in the Teams app manifest and install the app in the team or chat; it never appears in the token."
            : $"Add {grant.Name} as {kind} to the app registration, {(admin ? "grant admin consent" : "let the user consent (no admin consent needed)")}, then acquire a new token.";
    }

    private static string Shorten(string? message) => message is null ? string.Empty : message.Length <= 120 ? message : message[..120] + "…";

    /// <summary>What one rule decided.</summary>
    /// <param name="Cause">The cause.</param>
    /// <param name="Detail">What is known about this failure, or <see langword="null"/>.</param>
    /// <param name="DetailOnly">Whether <paramref name="Detail"/> is the whole remediation (no generic text, no notes).</param>
    /// <param name="Required">The permissions to report, when the rule knows better than the catalog.</param>
    /// <param name="NamesAction">Whether <paramref name="Detail"/> already says what to do, so the cause's generic remediation is left out.</param>
    private readonly record struct Decision(GraphAuthFailureCause Cause, string? Detail, bool DetailOnly = false, IReadOnlyList<string>? Required = null, bool NamesAction = false);

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
        ? $"The token is app-only ({Held(token)}); {operation.DescribeNeeds(token)}. Call it with a signed-in user's delegated token{(operation.PathTemplate.StartsWith("/me", StringComparison.OrdinalIgnoreCase) ? ", or use /users/{id} instead of /me with an app-only token where the operation allows it" : string.Empty)}."
        : $"The token is delegated ({Held(token)}); {operation.DescribeNeeds(token)}. Call it with an app-only token (client credentials).";

    private static string Held(GraphTokenInfo token) => token.IsAppOnly
        ? "roles=" + (token.Roles.Count == 0 ? "(none)" : string.Join(' ', token.Roles))
        : "scp=" + (token.Scopes.Count == 0 ? "(none)" : string.Join(' ', token.Scopes));

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

    private static bool IsAuthBadRequest(GraphErrorBody body, GraphErrorEvidence evidence, bool claimsChallenge) =>
        claimsChallenge
        || evidence.AppOnlyNotSupported
        || evidence.PersonalAccountRefused
        || evidence.NoPermissionsInToken
        || string.Equals(body.Code, "InvalidAuthenticationToken", StringComparison.OrdinalIgnoreCase);

    private static bool Contains(string? text, string value) =>
        text is not null && text.Contains(value, StringComparison.OrdinalIgnoreCase);
}
