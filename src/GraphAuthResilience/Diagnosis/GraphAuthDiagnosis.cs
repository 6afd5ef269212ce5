using System.Globalization;
using System.Net;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// The one decision step: weighs the typed findings of the evidence readers (<see cref="GraphWordsReader"/>,
/// <see cref="GraphErrorCodeReader"/>, <see cref="GraphTokenReader"/>, <see cref="GraphPermissionMapReader"/>,
/// <see cref="GraphRequestReader"/>) in a fixed order and says the cause, how sure it is, what else is possible and
/// which findings decided.
/// </summary>
/// <remarks>
/// <para>The order, strongest evidence first; the first step that decides wins:</para>
/// <list type="number">
/// <item><description>No token: nothing was sent on a 401, or Graph says the header was empty (request fact, High).</description></item>
/// <item><description>Token facts: an audience or cloud that is not this Graph host, then an expiry in the past (High):
/// facts of the token outrank anything else, since no permission helps a token Graph cannot accept.</description></item>
/// <item><description>Graph's words about the account and the token's kind: personal accounts refused, an API that
/// accepts only delegated or only app-only tokens (High), before anything that blames the token itself, so a 401 that
/// says "app-only not supported" is a kind mismatch, not a bad token; the password operations' own sentence.</description></item>
/// <item><description>A claims challenge (High): a silent token cannot meet it.</description></item>
/// <item><description>Graph's words about the token itself: malformed, invalid audience (High).</description></item>
/// <item><description>Graph's words naming a tenant or service policy (application access policy, conditional access,
/// tenant rules, a service not provisioned): no permission fixes these (High; Medium for a service not
/// provisioned); an identity the tenant does not know (Medium).</description></item>
/// <item><description>The token carries no permission at all (token fact or Graph's words, High).</description></item>
/// <item><description>A 401 (or a 400 with an authentication code) about the token: expiry words (High); a kind the
/// map does not accept (Medium); otherwise a token Graph refused (Medium, or High when a fresh one was refused too).</description></item>
/// <item><description>Permissions Graph's words or code name as missing (High), unless the token holds or covers them
/// in the lattice: then not a missing permission (Low, with what else to check).</description></item>
/// <item><description>Graph's words or code about a license or the user's role (High): after named permissions, since
/// a sentence that names both is about the permission.</description></item>
/// <item><description>Map and token: a personal account on an operation without a personal-account form, a password
/// operation with an app-only token, a token kind the operation does not take, a protected API (Medium).</description></item>
/// <item><description>Map and token: the token holds an accepted permission, so the app is permitted and something
/// else refuses (Low, alternatives); otherwise the least-privileged permission it lacks (Medium).</description></item>
/// <item><description>Without a readable token, a refusal is only a guess (Low): the remediation says what only the
/// token could tell. Anything else is Unknown (Low).</description></item>
/// </list>
/// <para>Confidence is High only where Graph's own words or code, or facts of the token, decide; Medium where the cause
/// is inferred from the map and the token; Low where the evidence leaves equally likely causes open, and then the
/// remediation names them and the check that tells them apart.</para>
/// </remarks>
internal static class GraphAuthDiagnosis
{
    /// <summary>Decides the cause.</summary>
    /// <param name="f">The findings.</param>
    /// <param name="map">The permission map (names, lattice).</param>
    /// <returns>The verdict.</returns>
    public static GraphAuthVerdict Decide(GraphAuthFindings f, GraphPermissionMap map)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(map);
        var status = f.Request.Status;
        var words = f.Words;
        var token = f.Token;
        var info = token.Info;
        var operation = f.Map.Operation;
        var evidence = new List<string>(4);
        var refresh = f.Request.BodyNotReplayable
            ? " The request body could not be replayed, so the request was not retried with a fresh token: buffer the body and send it again."
            : f.Request.Replayed ? " A freshly acquired token was refused too." : string.Empty;
        var authAnswer = status == HttpStatusCode.Unauthorized || GraphErrorCodeReader.IsAuthenticationCode(f.Code);

        // 1. No token.
        if ((!token.Sent && status == HttpStatusCode.Unauthorized) || words.Empty)
        {
            evidence.Add(words.Empty ? "Graph said the access token is empty." : "No bearer token was sent and Graph answered 401.");
            return Verdict(GraphAuthFailureCause.MissingToken, GraphAuthConfidence.High, evidence,
                "The request reached Graph without a bearer token (no Authorization: Bearer header, or an empty one): check what the Authorization header actually carries.");
        }

        // 2. Token facts: audience and cloud, then expiry.
        if (token.WrongAudience is { } audience)
        {
            evidence.Add("The token's audience is not this Microsoft Graph host.");
            return Verdict(GraphAuthFailureCause.WrongAudience, GraphAuthConfidence.High, evidence, audience);
        }

        if (info is { IsPersonalAccount: true } && operation is { PersonalAccounts: false })
        {
            evidence.Add($"The token is a personal Microsoft account's, and the map lists no personal-account permission for {operation.Display}.");
            return Personal(f, evidence, GraphAuthConfidence.Medium);
        }

        if (token.ExpiredAt is { } exp)
        {
            evidence.Add("The token's expiry (exp) is in the past.");
            return Verdict(GraphAuthFailureCause.ExpiredToken, GraphAuthConfidence.High, evidence,
                string.Create(CultureInfo.InvariantCulture, $"The token expired at {exp:u}.{refresh}"));
        }

        // 3. Graph's words about the account and the kind of token.
        if (words.PersonalAccountRefused || (info is { IsPersonalAccount: true } && operation is null && (words.AuthenticationFailed || authAnswer)))
        {
            evidence.Add(words.PersonalAccountRefused ? "Graph's message refuses personal Microsoft accounts." : "The token is a personal Microsoft account's and Graph refused to authenticate it.");
            return Personal(f, evidence, words.PersonalAccountRefused ? GraphAuthConfidence.High : GraphAuthConfidence.Medium);
        }

        if (words.TokenKind == GraphTokenKindRefusal.AppOnlyRefused && info is not { IsAppOnly: false })
        {
            evidence.Add("Graph's message says this API does not accept app-only tokens.");
            if (operation is { PasswordReset: true })
            {
                return PasswordReset(f, evidence, GraphAuthConfidence.High);
            }

            return Verdict(GraphAuthFailureCause.TokenTypeMismatch, GraphAuthConfidence.High, evidence, AppOnlyRefusedText(f), namesAction: true);
        }

        if (words.TokenKind == GraphTokenKindRefusal.DelegatedRefused && info is not { IsAppOnly: true })
        {
            evidence.Add("Graph's message says this API does not accept delegated tokens.");
            return Verdict(GraphAuthFailureCause.TokenTypeMismatch, GraphAuthConfidence.High, evidence,
                $"Graph refuses delegated tokens here{(info is null ? string.Empty : "; the token is delegated (" + token.Describe() + ")")}. Call it with an app-only token (client credentials with application permissions).",
                namesAction: true);
        }

        if (words.UserMissingInToken && info is not { IsAppOnly: false })
        {
            evidence.Add("Graph's message says the token carries no user principal name (an app-only token).");
            return operation is { PasswordReset: true } || operation is null
                ? PasswordReset(f, evidence, GraphAuthConfidence.High)
                : Verdict(GraphAuthFailureCause.TokenTypeMismatch, GraphAuthConfidence.High, evidence, AppOnlyRefusedText(f), namesAction: true);
        }

        // 4. Claims challenge.
        if (f.Request.Claims is not null || words.ClaimsChallenge)
        {
            evidence.Add(f.Request.Claims is not null ? "Graph's WWW-Authenticate header carries a claims challenge." : "Graph's message speaks of a claims challenge (continuous access evaluation).");
            if (f.Request.BodyNotReplayable)
            {
                return Verdict(GraphAuthFailureCause.UnsatisfiedClaimsChallenge, GraphAuthConfidence.High, evidence,
                    "The request body could not be replayed (a stream of unknown length or above MaxReplayBufferBytes), so the claims challenge was not met automatically: buffer the body (or raise GraphAuthOptions.MaxReplayBufferBytes) and send the request again; the chain will then meet the challenge itself. If Graph challenges again, run an interactive sign-in passing the Claims on this exception (MSAL WithClaims).",
                    detailOnly: true);
            }

            return Verdict(GraphAuthFailureCause.UnsatisfiedClaimsChallenge, GraphAuthConfidence.High, evidence,
                f.Request.Replayed
                    ? "Graph challenged again after the request was replayed with a token acquired for the claims, so a silent token request cannot meet them."
                    : f.Request.Claims is null ? "Graph demanded a claims challenge but sent no claims the chain could use (an interactive sign-in lets the user meet the policy)." : null);
        }

        // 5. Graph's words about the token itself.
        if (words.Malformed)
        {
            // A token that is no JWT at all is what personal Microsoft accounts get (an opaque token): Graph's words
            // say the token could not be parsed, not which of the two it was.
            evidence.Add("Graph's message says it could not parse or verify the token.");
            return Verdict(GraphAuthFailureCause.InvalidToken, info is null ? GraphAuthConfidence.Medium : GraphAuthConfidence.High, evidence,
                (info is null
                    ? "The token that was sent is not a readable JWT (an opaque personal-account token, an ID token's reference, a truncated or wrongly copied value): send the access token MSAL returns for Microsoft Graph."
                    : "Graph could not parse or verify the token: send the access token MSAL returns for Microsoft Graph, unchanged.") + refresh,
                alternatives: info is null ? [GraphAuthFailureCause.PersonalAccountNotSupported] : []);
        }

        if (words.InvalidAudience)
        {
            evidence.Add("Graph's message says the token's audience is invalid.");
            return Verdict(GraphAuthFailureCause.WrongAudience, GraphAuthConfidence.High, evidence,
                $"Graph said the token's audience is invalid (the token's aud is '{info?.Audience ?? "unknown"}').");
        }

        // 6. Policies no permission fixes.
        if (words.Policy != GraphPolicyKind.None)
        {
            evidence.Add("Graph's message names " + PolicyName(words.Policy) + ".");
            return Verdict(GraphAuthFailureCause.PolicyRestricted,
                words.Policy == GraphPolicyKind.ServiceNotProvisioned ? GraphAuthConfidence.Medium : GraphAuthConfidence.High, evidence,
                PolicyText(words.Policy, info),
                alternatives: words.Policy == GraphPolicyKind.ServiceNotProvisioned ? [GraphAuthFailureCause.UserNotPrivilegedOrLicensed] : [],
                required: []);
        }

        if (f.Code == GraphCodeMeaning.IdentityNotFound)
        {
            evidence.Add($"Graph's code {f.CodeText} says the calling application has no identity in this tenant.");
            return Verdict(GraphAuthFailureCause.TenantNotOnboarded, GraphAuthConfidence.Medium, evidence,
                "Graph could not find the calling application in this tenant: it has no service principal there (the app was never consented in this tenant, or the token was issued for another tenant). Have an administrator of this tenant grant admin consent (which creates the service principal), and acquire the token for this tenant.",
                alternatives: [GraphAuthFailureCause.InsufficientPermissions], required: []);
        }

        // 7. No permission at all.
        if (token.NoPermissions || words.NoPermissions || f.Code == GraphCodeMeaning.NoPermissions)
        {
            evidence.Add(token.NoPermissions ? "The token carries neither scp nor roles." : "Graph said the token carries no permission it understands.");
            var needs = operation is null ? string.Empty : " " + operation.DescribeNeeds(info) + ".";
            var kind = info is { IsAppOnly: false }
                ? "Request the delegated permission (scope) when signing the user in and let the user (or an administrator) consent."
                : "Add application permissions (not delegated ones) to the app registration and grant admin consent, then acquire a new token: a client-credentials token carries roles only for consented application permissions.";
            var asked = operation?.RequiredFor(info) ?? words.Needed;
            return Verdict(GraphAuthFailureCause.InsufficientPermissions, token.NoPermissions || info is not null ? GraphAuthConfidence.High : GraphAuthConfidence.Medium, evidence,
                $"The token carries no permission at all (neither scp nor roles): nothing was granted or consented to this app.{needs} {kind}",
                namesAction: true, required: asked, asked: asked);
        }

        // 8. A refusal of the token itself.
        if (authAnswer && words.License is null && words.Needed.Count == 0 && f.Code != GraphCodeMeaning.PermissionMissing)
        {
            if (words.Expired || f.Code == GraphCodeMeaning.Expired)
            {
                evidence.Add("Graph said the token has expired or is not yet valid.");
                return Verdict(GraphAuthFailureCause.ExpiredToken, GraphAuthConfidence.High, evidence, "Graph said the token has expired or is not yet valid." + refresh);
            }

            if (info is not null && operation is not null && !f.Map.SupportsTokenKind)
            {
                evidence.Add($"The map lists no {KindName(token)} permission for {operation.Display}.");
                return Verdict(GraphAuthFailureCause.TokenTypeMismatch, GraphAuthConfidence.Medium, evidence, KindMismatch(f), namesAction: true,
                    alternatives: [GraphAuthFailureCause.InvalidToken]);
            }

            evidence.Add(f.Request.Replayed ? "Graph refused the token, and a freshly acquired one too." : "Graph answered that the token is not valid for this request.");
            var what = info is null
                ? "The token that was sent is not a readable JWT (an opaque personal-account token, an ID token's reference, a truncated or wrongly copied value): send the access token MSAL returns for Microsoft Graph."
                : info.IsPersonalAccount
                    ? "Graph refused the token of a personal Microsoft account; Microsoft's map lists personal-account permissions for this operation, so the account type alone does not explain it: check that the token is the one MSAL returned for Microsoft Graph scopes and is not revoked."
                    : "Graph refused the token (bad signature, revoked, wrong tenant or cloud).";
            return Verdict(GraphAuthFailureCause.InvalidToken, GraphAuthConfidence.Medium, evidence, what + refresh,
                alternatives: info is null ? [GraphAuthFailureCause.PersonalAccountNotSupported] : [GraphAuthFailureCause.TokenTypeMismatch, GraphAuthFailureCause.PersonalAccountNotSupported]);
        }

        // 9. Permissions Graph names as missing.
        if (words.Needed.Count > 0 || f.Code == GraphCodeMeaning.PermissionMissing)
        {
            if (words.ProtectedApi)
            {
                return ProtectedApi(f, evidence, GraphAuthConfidence.High);
            }

            return NamedPermissions(f, map, evidence);
        }

        // 10. License and role.
        if (info is { IsPersonalAccount: true })
        {
            // Never a role, license or admin consent for a personal account: only the map's personal forms count.
            return Personal(f, evidence, operation is { PersonalAccounts: false } ? GraphAuthConfidence.Medium : GraphAuthConfidence.Low);
        }

        if (words.License is { } license || f.Code is GraphCodeMeaning.License or GraphCodeMeaning.MailboxNotReachable)
        {
            evidence.Add(words.License is not null ? "Graph's message speaks of a missing license or mailbox." : $"Graph's code {f.CodeText} says a license or mailbox is missing.");

            // "Neither tenant is B2C or tenant doesn't have premium license" is a disjunction Graph also sends when the
            // app cannot read the tenant's subscriptions: Graph's words do not decide which.
            var either = f.Code == GraphCodeMeaning.License && (f.CodeText ?? string.Empty).Contains("B2C", StringComparison.OrdinalIgnoreCase);
            return Verdict(GraphAuthFailureCause.UserNotPrivilegedOrLicensed, either ? GraphAuthConfidence.Medium : GraphAuthConfidence.High, evidence,
                words.License ?? "The user (or tenant) lacks the license or mailbox this data needs: assign the Microsoft 365 or Entra ID license that includes this workload.",
                alternatives: either ? [GraphAuthFailureCause.InsufficientPermissions, GraphAuthFailureCause.PolicyRestricted] : []);
        }

        if (words.Role is not null || f.Code == GraphCodeMeaning.UserRole)
        {
            evidence.Add("Graph said the signed-in user's role is not allowed.");
            return Verdict(GraphAuthFailureCause.UserNotPrivilegedOrLicensed, GraphAuthConfidence.High, evidence,
                (words.Role ?? "Graph refused the signed-in user's directory role") + ": assign the signed-in user a directory role this API allows (for reports: Reports Reader, Security Reader, Global Reader...), or have a user who holds one sign in.");
        }

        if (words.ProtectedApi)
        {
            return ProtectedApi(f, evidence, GraphAuthConfidence.High);
        }

        // 11. Map and token.
        if (info is not null && operation is not null)
        {
            if (operation.PasswordReset && info.IsAppOnly)
            {
                evidence.Add($"{operation.Display} changes a password, and the token is app-only.");
                return PasswordReset(f, evidence, GraphAuthConfidence.Medium);
            }

            if (!f.Map.SupportsTokenKind)
            {
                evidence.Add($"The map lists no {KindName(token)} permission for {operation.Display}.");
                return Verdict(GraphAuthFailureCause.TokenTypeMismatch, GraphAuthConfidence.Medium, evidence, KindMismatch(f), namesAction: true,
                    alternatives: [GraphAuthFailureCause.InsufficientPermissions]);
            }

            if (operation.ProtectedApi && info.IsAppOnly && f.Map.AcceptedHeld is not null)
            {
                return ProtectedApi(f, evidence, GraphAuthConfidence.Medium);
            }

            // 12. The token holds an accepted permission: something other than a missing permission refuses.
            if (f.Map.AcceptedHeld is { } held)
            {
                return HeldYetRefused(f, held, evidence);
            }

            if (info.IsAppOnly && info.Roles.Contains("Sites.Selected", StringComparer.OrdinalIgnoreCase))
            {
                evidence.Add("The token holds only Sites.Selected, which covers sites granted one by one, addressed directly.");
                return Verdict(GraphAuthFailureCause.InsufficientPermissions, GraphAuthConfidence.Medium, evidence,
                    $"The token has roles=Sites.Selected, which covers only sites granted to the app, addressed by id or path: it does not cover listing or searching sites ({f.Request.Display}). {operation.DescribeNeeds(info)}. Address the granted site directly (GET /sites/{{hostname}}:/sites/{{path}}), or add a tenant-wide permission.",
                    namesAction: true, asked: Asked(f.Map));
            }

            evidence.Add($"The token ({token.Describe()}) holds none of the permissions the map accepts for {operation.Display}.");
            var action = AddAction(f.Map.ToAdd, token);
            return Verdict(GraphAuthFailureCause.InsufficientPermissions, GraphAuthConfidence.Medium, evidence,
                $"The token has {token.Describe()}; {operation.DescribeNeeds(info)}. {action}", namesAction: action.Length > 0,
                alternatives: info.IsAppOnly ? [GraphAuthFailureCause.PolicyRestricted] : [GraphAuthFailureCause.UserNotPrivilegedOrLicensed], asked: Asked(f.Map));
        }

        // 13. No readable token, or an operation the map does not know.
        if (f.Code is GraphCodeMeaning.Refused || (status == HttpStatusCode.Forbidden && f.CodeText is null))
        {
            if (info is null)
            {
                evidence.Add("Graph refused access, and the token could not be read.");
                var needs = operation is null ? "the permission the API's reference page lists" : operation.DescribeNeeds(null);
                return Verdict(GraphAuthFailureCause.InsufficientPermissions, GraphAuthConfidence.Low, evidence,
                    $"Graph refused access ({f.Request.Display}) and the token could not be read, so only a guess is possible: {needs}. Only the token can tell whether it lacks that permission (its scp or roles), whether it is app-only or delegated, and whose account it is: decode the access token (for example with jwt.ms) and compare. If it holds the permission, check the signed-in user's roles and licenses instead.",
                    namesAction: true, alternatives: [GraphAuthFailureCause.UserNotPrivilegedOrLicensed, GraphAuthFailureCause.TokenTypeMismatch]);
            }

            evidence.Add($"Graph refused access, and the map does not know {f.Request.Display}.");
            return Verdict(GraphAuthFailureCause.InsufficientPermissions, GraphAuthConfidence.Low, evidence,
                $"The token has {token.Describe()}; the permission catalog does not know {f.Request.Display}: look up its least-privileged permission on the API's reference page.",
                alternatives: info.IsAppOnly ? [GraphAuthFailureCause.PolicyRestricted] : [GraphAuthFailureCause.UserNotPrivilegedOrLicensed]);
        }

        evidence.Add($"Graph answered {(int)status} with code '{f.CodeText ?? "none"}', which says nothing this library recognises.");
        return Verdict(GraphAuthFailureCause.Unknown, GraphAuthConfidence.Low, evidence,
            $"The token: {token.Describe()}. Graph answered {(int)status} with code '{f.CodeText ?? "none"}', which this library does not recognise, for an operation the permission catalog does not know. Check the API's reference page for its permissions and quote the request id to Microsoft support.",
            required: []);
    }

    private static GraphAuthVerdict NamedPermissions(GraphAuthFindings f, GraphPermissionMap map, List<string> evidence)
    {
        var token = f.Token;
        var info = token.Info;
        var named = f.Words.Needed;
        var scheme = token.Scheme ?? GraphPermissionScheme.DelegatedWork;
        if (named.Count == 0)
        {
            // The code alone says a permission is missing: the map says which.
            evidence.Add($"Graph's code {f.CodeText} says a permission is missing.");
            var add = f.Map.ToAdd;
            return Verdict(GraphAuthFailureCause.InsufficientPermissions, GraphAuthConfidence.High, evidence,
                $"Graph says a permission is missing; {(info is null ? "the token could not be read" : "the token has " + token.Describe())}. " + (f.Map.Operation is { } op ? op.DescribeNeeds(info) + ". " + AddAction(add, token) : "Look up the API's least-privileged permission on its reference page."),
                namesAction: add is not null, asked: Asked(f.Map));
        }

        evidence.Add(f.Words.NeededByDisplayText is { } text
            ? $"Graph's message names the permission '{text}' ({string.Join(", ", named)})."
            : $"Graph's message names {string.Join(", ", named)} as needed.");
        if (info is not null && named.Select(n => map.Lattice.HeldCovering(scheme, token.Held, n)).FirstOrDefault(h => h is not null) is { } covering)
        {
            evidence.Add($"The token already holds {covering}, which is or covers one of them.");
            return HeldYetRefused(f, covering, evidence);
        }

        var known = named.Select(map.Permission).ToList();
        var index = known.FindIndex(p => p is null || p.Exists(scheme));
        var kind = scheme == GraphPermissionScheme.Application ? "an application permission" : "a delegated permission";
        if (index < 0 && info is not null)
        {
            // Graph (Teams) names the delegated permissions to an app-only token too: say what this kind needs instead.
            var counterpart = f.Map.Operation?.LeastFor(scheme)?.Name;
            if (counterpart is not null && token.Held.Contains(counterpart, StringComparer.OrdinalIgnoreCase))
            {
                evidence.Add($"The token holds {counterpart}, the map's {KindName(token)} permission for {f.Map.Operation!.Display}.");
                return Verdict(GraphAuthFailureCause.InsufficientPermissions, GraphAuthConfidence.Low, evidence,
                    $"Graph says the call needs one of {string.Join(", ", named)}; the token has {token.Describe()}. None of them exists as {kind}; the catalog lists {counterpart} for {f.Map.Operation.Display}, which the token has: check that admin consent was granted in this tenant before the token was issued (or the resource-specific consent of the team or chat).",
                    namesAction: true, required: named, alternatives: [GraphAuthFailureCause.PolicyRestricted, GraphAuthFailureCause.Unknown]);
            }

            var instead = counterpart is null
                ? $"add the {(scheme == GraphPermissionScheme.Application ? "application" : "delegated")} permission of the same family the API's reference page lists, grant admin consent, then acquire a new token."
                : $"the catalog lists {counterpart} for {f.Map.Operation!.Display}: add it as {kind}, grant admin consent, then acquire a new token.";
            return Verdict(GraphAuthFailureCause.InsufficientPermissions, GraphAuthConfidence.High, evidence,
                $"Graph says the call needs one of {string.Join(", ", named)}; the token has {token.Describe()}. None of them exists as {kind}; {instead}",
                namesAction: true, required: named, asked: counterpart is null ? [] : [counterpart]);
        }

        var pick = Math.Max(index, 0);
        var first = known[pick];
        var consent = first is null ? string.Empty : first.RequiresAdminConsent(scheme) ? " (needs admin consent)" : " (users can consent)";
        return Verdict(GraphAuthFailureCause.InsufficientPermissions, GraphAuthConfidence.High, evidence,
            $"Graph says the call needs {(named.Count == 1 ? named[0] : "one of " + string.Join(", ", named))}; {(info is null ? "the token could not be read" : "the token has " + token.Describe())}. Add {named[pick]}{consent} as {kind}, {(first?.RequiresAdminConsent(scheme) != false ? "grant admin consent" : "let the user consent")}, then acquire a new token.",
            namesAction: true, required: named, asked: [named[pick]]);
    }

    private static GraphAuthVerdict HeldYetRefused(GraphAuthFindings f, string held, List<string> evidence)
    {
        var token = f.Token;
        var info = token.Info!;
        var operation = f.Map.Operation;
        var display = operation?.Display ?? f.Request.Display;
        if (evidence.Count == 0 || !evidence[^1].Contains(held, StringComparison.Ordinal))
        {
            evidence.Add($"The token holds {held}, which the map accepts for {display}.");
        }

        if (string.Equals(held, "Sites.Selected", StringComparison.OrdinalIgnoreCase) && info.IsAppOnly)
        {
            return Verdict(GraphAuthFailureCause.InsufficientPermissions, GraphAuthConfidence.Medium, evidence,
                $"The token has roles=Sites.Selected, which works only on sites granted to this app one by one: have an administrator grant the app this site (POST /sites/{{site-id}}/permissions with roles read or write), or add {operation?.LeastFor(GraphPermissionScheme.Application)?.Name ?? "Sites.Read.All"} for tenant-wide access.",
                namesAction: true, alternatives: [GraphAuthFailureCause.PolicyRestricted]);
        }

        if (held.EndsWith(".OwnedBy", StringComparison.OrdinalIgnoreCase) && info.IsAppOnly)
        {
            var wider = held[..^".OwnedBy".Length] + ".All";
            return Verdict(GraphAuthFailureCause.InsufficientPermissions, GraphAuthConfidence.Medium, evidence,
                $"The token has {token.Describe()}; {held} covers only objects the app owns: add the app's service principal as an owner of this object, or grant {wider} with admin consent, then acquire a new token (a token issued before the consent does not carry it).",
                namesAction: true, asked: [wider]);
        }

        var notMissing = $"The token has {token.Describe()}, and {held} is accepted by {display} according to Microsoft's map, so a missing permission of the app does not explain the refusal.";
        if (!info.IsAppOnly)
        {
            return Verdict(GraphAuthFailureCause.UserNotPrivilegedOrLicensed, GraphAuthConfidence.Low, evidence,
                notMissing + " The app is permitted, so Graph refused the signed-in user (a directory role, a license, group or team membership, or access to this site or mailbox). Tell them apart: try the same call signed in as an administrator (if it works, the user's role or access is the cause); if it fails too, check that the permission was consented in this tenant and whether another permission is needed for part of the request (the API's reference page, its known issues).",
                alternatives: [GraphAuthFailureCause.InsufficientPermissions, GraphAuthFailureCause.PolicyRestricted]);
        }

        if (f.Code is GraphCodeMeaning.Refused or GraphCodeMeaning.PermissionMissing || (f.Request.Status == HttpStatusCode.Forbidden && f.CodeText is null))
        {
            return Verdict(GraphAuthFailureCause.InsufficientPermissions, GraphAuthConfidence.Low, evidence,
                notMissing + " Check, in this order: that admin consent was granted in this tenant before the token was issued; whether part of the request needs another permission (the API's reference page and its known issues); and the limits no permission lifts (an Exchange application access policy limiting the app to some mailboxes, Sites.Selected grants, resource-specific consent).",
                namesAction: true, alternatives: [GraphAuthFailureCause.PolicyRestricted, GraphAuthFailureCause.Unknown]);
        }

        return Verdict(GraphAuthFailureCause.Unknown, GraphAuthConfidence.Low, evidence,
            notMissing + $" Graph answered code '{f.CodeText ?? "none"}', which is not a known permission refusal: this may be a service-side problem. Retry later; if it persists, quote the request id to Microsoft support.",
            required: [], alternatives: [GraphAuthFailureCause.InsufficientPermissions, GraphAuthFailureCause.PolicyRestricted]);
    }

    private static GraphAuthVerdict Personal(GraphAuthFindings f, List<string> evidence, GraphAuthConfidence confidence)
    {
        var operation = f.Map.Operation;
        var noForm = f.Map.HeldWithoutPersonalForm;
        if (noForm.Count > 0)
        {
            evidence.Add($"Held scopes with no personal-account form: {string.Join(", ", noForm)}.");
        }

        var what = operation is { PersonalAccounts: false }
            ? operation.Display + " has no permission for personal accounts (work or school accounts only)"
            : operation is { PersonalAccounts: true }
                ? $"Graph refused it, though Microsoft's map lists {operation.LeastFor(GraphPermissionScheme.DelegatedPersonal)?.Name} for personal accounts on {operation.Display}"
                : "Graph refused it as an API for work or school accounts only";
        var cause = operation is { PersonalAccounts: true } && !f.Words.PersonalAccountRefused && f.Map.AcceptedHeld is null
            ? GraphAuthFailureCause.InsufficientPermissions
            : GraphAuthFailureCause.PersonalAccountNotSupported;
        var detail = $"The token belongs to a personal Microsoft account (tid {GraphTokenInfo.PersonalAccountTenantId}) and {what}. Only permissions with a personal-account form count for such an account{(noForm.Count > 0 ? "; these held scopes have none: " + string.Join(", ", noForm) : string.Empty)}. Directory roles, licenses and admin consent do not apply to personal accounts.";
        if (cause == GraphAuthFailureCause.InsufficientPermissions)
        {
            var add = operation!.LeastFor(GraphPermissionScheme.DelegatedPersonal)!;
            return Verdict(cause, GraphAuthConfidence.Medium, evidence, detail + $" Ask for {add.Name} (delegated, personal account) when signing in.",
                namesAction: true, alternatives: [GraphAuthFailureCause.PersonalAccountNotSupported], required: [add.Name], asked: [add.Name]);
        }

        return Verdict(cause, confidence, evidence, detail + " Sign in with a work or school account, or restrict the app to organizational accounts.", namesAction: true,
            alternatives: confidence == GraphAuthConfidence.High ? [] : [GraphAuthFailureCause.InsufficientPermissions, GraphAuthFailureCause.Unknown]);
    }

    private static GraphAuthVerdict PasswordReset(GraphAuthFindings f, List<string> evidence, GraphAuthConfidence confidence)
    {
        var operation = f.Map.Operation;
        return Verdict(GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin, confidence, evidence,
            $"The token is app-only ({f.Token.Describe()}){(operation is null ? string.Empty : "; " + operation.DescribeNeeds(f.Token.Info))}. Call it with a delegated token of a signed-in administrator allowed to reset this user's password{(operation is { SupportsApplication: true } ? ", or assign the app's service principal the User Administrator (or Privileged Authentication Administrator) role" : string.Empty)}.",
            alternatives: confidence == GraphAuthConfidence.High ? [] : [GraphAuthFailureCause.InsufficientPermissions]);
    }

    private static GraphAuthVerdict ProtectedApi(GraphAuthFindings f, List<string> evidence, GraphAuthConfidence confidence)
    {
        evidence.Add(confidence == GraphAuthConfidence.High ? "Graph's message says this is a protected API." : "The map marks this operation a protected API in application-only context.");
        return Verdict(GraphAuthFailureCause.InsufficientPermissions, confidence, evidence,
            $"This is a protected API in application-only context: besides {(f.Map.Operation?.LeastFor(GraphPermissionScheme.Application)?.Name ?? "the application permission")} the app must be approved by Microsoft (request access to Teams protected APIs, https://learn.microsoft.com/graph/teams-protected-apis), or use resource-specific consent (RSC) in the teams or chats where the app is installed, or call it with a delegated token.",
            namesAction: true, required: f.Words.Needed.Count > 0 ? f.Words.Needed : null);
    }

    private static string AppOnlyRefusedText(GraphAuthFindings f)
    {
        var operation = f.Map.Operation;
        if (operation is not null && f.Token.Info is { } info)
        {
            return KindMismatch(f);
        }

        return $"Graph said the call needs a signed-in user (delegated token){(f.Token.Info is null ? string.Empty : "; the token is app-only (" + f.Token.Describe() + ")")}. Use a delegated flow, or /users/{{id}} instead of /me where the API allows application permissions.";
    }

    private static string KindMismatch(GraphAuthFindings f)
    {
        var info = f.Token.Info!;
        var operation = f.Map.Operation!;
        return info.IsAppOnly
            ? $"The token is app-only ({f.Token.Describe()}); {operation.DescribeNeeds(info)}. Call it with a signed-in user's delegated token{(operation.PathTemplate.StartsWith("/me", StringComparison.OrdinalIgnoreCase) ? ", or use /users/{id} instead of /me with an app-only token where the operation allows it" : string.Empty)}."
            : $"The token is delegated ({f.Token.Describe()}); {operation.DescribeNeeds(info)}. Call it with an app-only token (client credentials).";
    }

    private static string KindName(GraphTokenFinding token) => token.Scheme switch
    {
        GraphPermissionScheme.Application => "application",
        GraphPermissionScheme.DelegatedPersonal => "personal-account",
        _ => "delegated",
    };

    /// <summary>Add X (application permission, admin consent) to the app registration, grant admin consent, then acquire a new token.</summary>
    private static string AddAction(GraphPermissionAllowance? grant, GraphTokenFinding token)
    {
        if (grant is null)
        {
            return string.Empty;
        }

        var scheme = token.Scheme ?? GraphPermissionScheme.DelegatedWork;
        var admin = grant.Permission.RequiresAdminConsent(scheme);
        var kind = scheme == GraphPermissionScheme.Application ? "an application permission" : "a delegated permission";
        return grant.Permission.IsResourceSpecific
            ? $"{grant.Name} is a resource-specific consent (RSC) permission: declare it in the Teams app manifest and install the app in the team or chat; it never appears in the token."
            : $"Add {grant.Name} as {kind} to the app registration, {(admin ? "grant admin consent" : "let the user consent (no admin consent needed)")}, then acquire a new token.";
    }

    private static IReadOnlyList<string> Asked(GraphPermissionMapFinding map) => map.ToAdd is { } add ? [add.Name] : [];

    private static string PolicyName(GraphPolicyKind kind) => kind switch
    {
        GraphPolicyKind.ApplicationAccessPolicy => "an application access policy",
        GraphPolicyKind.ConditionalAccess => "a conditional access policy",
        GraphPolicyKind.ServiceNotProvisioned => "a service not provisioned for this user or tenant",
        _ => "a tenant rule",
    };

    private static string PolicyText(GraphPolicyKind kind, GraphTokenInfo? info) => kind switch
    {
        GraphPolicyKind.ApplicationAccessPolicy =>
            "An application access policy refuses this app for this mailbox or user, and no permission change fixes it: an Exchange administrator must include the mailbox in the app's scope (New-ApplicationAccessPolicy or RBAC for Applications; Test-ApplicationAccessPolicy shows the result), or, for online meetings, a Teams administrator must grant the app a Teams application access policy (New-CsApplicationAccessPolicy, Grant-CsApplicationAccessPolicy). Changes can take up to an hour.",
        GraphPolicyKind.ConditionalAccess =>
            "A conditional access policy refuses this sign-in or call, and no permission change fixes it: an administrator can see which policy in the Entra sign-in logs; meet it (MFA, a compliant device, an allowed location) or have the policy adjusted for this app.",
        GraphPolicyKind.ServiceNotProvisioned =>
            "The service this call needs is not provisioned for this user or tenant (no SharePoint Online or OneDrive license in the tenant, a mailbox hosted on-premises or not enabled for REST), and no permission change fixes it: provision the service (license, mailbox migration) or call it only for users who have it.",
        _ =>
            "A tenant rule refuses this call (the tenant's kind, such as B2C, or a setting an administrator turned off), and no permission change fixes it: check the API's reference page for the tenants it supports, and the tenant's settings with its administrators." + (info is null ? string.Empty : string.Empty),
    };

    private static GraphAuthVerdict Verdict(
        GraphAuthFailureCause cause,
        GraphAuthConfidence confidence,
        List<string> evidence,
        string? detail,
        bool namesAction = false,
        bool detailOnly = false,
        IReadOnlyList<GraphAuthFailureCause>? alternatives = null,
        IReadOnlyList<string>? required = null,
        IReadOnlyList<string>? asked = null) => new()
    {
        Cause = cause,
        Confidence = confidence,
        Evidence = evidence,
        Detail = detail,
        NamesAction = namesAction,
        DetailOnly = detailOnly,
        Alternatives = alternatives ?? [],
        Required = required,
        Asked = asked ?? [],
    };
}
