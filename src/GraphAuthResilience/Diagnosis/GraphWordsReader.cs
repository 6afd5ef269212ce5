using System.Text.RegularExpressions;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Reads Graph's own words (<c>error.message</c>, JSON nested in it included, since it is read as text): the
/// permissions it names, whatever the sentence around them (a known permission name, case-insensitive and whole, or
/// a permission's display text), kept apart by whether the sentence says the caller <em>has</em> them or
/// <em>needs</em> them; what it says about the kind of token, the account, licenses, roles, policies and the token
/// itself.
/// </summary>
internal static partial class GraphWordsReader
{
    private static readonly string[] HeldMarkers =
    [
        "on the request", "on the token", "in the token", "token has", "token contains the", "current scopes", "current roles",
        "you have", "has the following", "granted scopes", "granted roles",
    ];

    /// <summary>Reads the message of one error body.</summary>
    /// <param name="message">Graph's <c>error.message</c>, or <see langword="null"/>.</param>
    /// <param name="map">The permission map, for names and display texts.</param>
    /// <returns>The finding.</returns>
    public static GraphWordsFinding Read(string? message, IGraphPermissionMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (string.IsNullOrWhiteSpace(message))
        {
            return GraphWordsFinding.None;
        }

        var (needed, held, byText) = Permissions(message, map);
        var (policy, policyWords) = PolicyOf(message);
        return new GraphWordsFinding
        {
            Needed = needed,
            Held = held,
            NeededByDisplayText = byText,
            TokenKind = GraphTokenKindWords.Read(message),
            PersonalAccountRefused = PersonalAccount().IsMatch(message),
            ProtectedApi = Has(message, "Protected API"),
            License = policy == GraphPolicyKind.ServiceNotProvisioned ? null : LicenseText(message),
            Role = Role().IsMatch(message) ? "Graph refused the signed-in user's directory role (" + Shorten(message) + ")" : null,
            Policy = policy,
            PolicyWords = policyWords,
            Expired = Expired().IsMatch(message),
            Empty = Has(message, "Access token is empty"),
            Malformed = Malformed().IsMatch(message),
            NoPermissions = Has(message, "Either scp or roles claim need to be present") || Has(message, "token contains no permissions"),
            InvalidAudience = Has(message, "Invalid audience"),
            ClaimsChallenge = Has(message, "claims challenge") || Has(message, "Continuous access evaluation") || Has(message, "ClaimsChallengeRequired"),
            UserMissingInToken = UserMissing().IsMatch(message),
            AuthenticationFailed = Has(message, "Error authenticating with resource") || Has(message, "does not contain a valid authentication token"),
        };
    }

    private static (IReadOnlyList<string> Needed, IReadOnlyList<string> Held, string? ByText) Permissions(string message, IGraphPermissionMap map)
    {
        var needed = new List<string>();
        var held = new List<string>();
        var heldFrom = HeldRegions(message);
        foreach (Match match in PermissionName().Matches(message))
        {
            if (map.Permission(match.Value) is not { } permission)
            {
                continue;
            }

            var list = heldFrom.Any(r => match.Index >= r.Start && match.Index < r.End) ? held : needed;
            if (!list.Contains(permission.Name, StringComparer.OrdinalIgnoreCase))
            {
                list.Add(permission.Name);
            }
        }

        string? byText = null;
        foreach (var text in map.DisplayTexts)
        {
            var at = message.IndexOf(text, StringComparison.OrdinalIgnoreCase);
            if (at < 0 || heldFrom.Any(r => at >= r.Start && at < r.End))
            {
                continue;
            }

            foreach (var name in map.ByDisplayText(text))
            {
                if (!needed.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    needed.Add(name);
                    byText ??= text;
                }
            }
        }

        return (needed, held, byText);
    }

    /// <summary>Where the message says what the caller has: from a marker to the end of its sentence.</summary>
    private static List<(int Start, int End)> HeldRegions(string message)
    {
        var regions = new List<(int, int)>();
        foreach (var marker in HeldMarkers)
        {
            for (var at = message.IndexOf(marker, StringComparison.OrdinalIgnoreCase); at >= 0; at = message.IndexOf(marker, at + marker.Length, StringComparison.OrdinalIgnoreCase))
            {
                var end = SentenceEnd(message, at + marker.Length);
                regions.Add((at, end));
            }
        }

        return regions;
    }

    private static int SentenceEnd(string message, int from)
    {
        for (var i = from; i < message.Length; i++)
        {
            if (message[i] == '.' && (i + 1 == message.Length || char.IsWhiteSpace(message[i + 1]) || message[i + 1] is '"' or '\\'))
            {
                return i;
            }
        }

        return message.Length;
    }

    private static (GraphPolicyKind, string?) PolicyOf(string message)
    {
        var kind = ApplicationAccessPolicy().IsMatch(message) ? GraphPolicyKind.ApplicationAccessPolicy
            : ConditionalAccess().IsMatch(message) ? GraphPolicyKind.ConditionalAccess
            : ServiceNotProvisioned().IsMatch(message) ? GraphPolicyKind.ServiceNotProvisioned
            : TenantRule().IsMatch(message) ? GraphPolicyKind.TenantRule
            : GraphPolicyKind.None;
        return (kind, kind == GraphPolicyKind.None ? null : Shorten(message));
    }

    private static string? LicenseText(string message)
    {
        if (Has(message, "mailbox is either inactive") || Has(message, "hosted on-premise"))
        {
            return "The user has no Exchange Online mailbox that Graph can reach (no license with Exchange Online, an inactive or soft-deleted mailbox, a mailbox hosted on-premises, or a guest account).";
        }

        if (Has(message, "doesn't have premium license") || Has(message, "does not have premium license"))
        {
            return "The tenant lacks the Microsoft Entra ID P1/P2 (Azure AD Premium) license this data needs (sign-in logs, signInActivity), or is a B2C tenant.";
        }

        if (Has(message, "Teams is disabled"))
        {
            return "Teams is disabled for this user or tenant: the user's license does not include Microsoft Teams (F1 and some plans), or Teams is turned off.";
        }

        return Has(message, "license")
            ? "Graph refused for want of a license (" + Shorten(message) + "): assign the user (or tenant) the Microsoft 365 license that includes this workload."
            : null;
    }

    private static string Shorten(string message) => message.Length <= 160 ? message : message[..160] + "…";

    private static bool Has(string text, string value) => text.Contains(value, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)?(?:\.[A-Za-z0-9\-]*[A-Za-z0-9])+", RegexOptions.CultureInvariant)]
    private static partial Regex PermissionName();

    [GeneratedRegex(@"not supported for MSA|MSA (accounts|requests) (are|is) not supported|personal Microsoft accounts? (is|are) not supported|not supported for personal (Microsoft )?accounts|consumer accounts are not supported", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PersonalAccount();

    [GeneratedRegex(@"not in the allowed roles|does not have the required (directory )?role|user role is not allowed|requires? (the )?(signed-in )?user to (be|have) (an? )?(admin|administrator|role)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Role();

    [GeneratedRegex(@"token is expired|Lifetime validation failed|token (has )?expired|has expired or is not yet valid", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Expired();

    [GeneratedRegex(@"CompactToken parsing failed|JWT is not well formed|IDX1\d{4}|Signature validation failed|signature is invalid|Invalid signature", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Malformed();

    [GeneratedRegex(@"UserPrincipalName value\s+in token was missing", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UserMissing();

    [GeneratedRegex(@"application access polic|ApplicationAccessPolicy|access policy found for (this|the) app|RBAC for Applications|not authorized to [\w ]{1,40} on behalf of (the )?user", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ApplicationAccessPolicy();

    [GeneratedRegex(@"conditional access|blocked by [\w ]{0,30}polic|device is not compliant|location is not allowed", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConditionalAccess();

    [GeneratedRegex(@"does not have an? (SPO|SharePoint( Online)?|OneDrive|Exchange( Online)?) licen[cs]e|REST API is not yet supported for this mailbox|mailbox is not enabled|(is|are|has) not (been )?provisioned|not provisioned for", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ServiceNotProvisioned();

    [GeneratedRegex(@"is an Azure AD B2C directory|only be made for an Azure AD directory|tenant restrictions|(disabled|turned off|blocked) by (your|the|an) (tenant )?admin(istrator)?|not allowed by (your|the) (organization|tenant)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TenantRule();
}
