using System.Text.RegularExpressions;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// What Graph's error code and message say about the cause, in the phrasings real threads show across workloads
/// (directory, Exchange, Teams, Intune, SharePoint, reports): the permissions the message names (the strongest
/// evidence there is), and whether it speaks of licenses, roles, app-only or personal-account refusals, protected APIs.
/// </summary>
internal sealed partial class GraphErrorEvidence
{
    private static readonly string[] PermissionRefusalCodes =
    [
        "Authorization_RequestDenied", "ErrorAccessDenied", "AccessDenied", "Forbidden", "S2SUnauthorized",
        "NoPermissionsInAccessToken", "Authorization_IdentityNotFound", "InsufficientPermissions", "UnknownError",
    ];

    private GraphErrorEvidence()
    {
    }

    /// <summary>Gets the permissions the message says the call needs (known permission names only), in message order.</summary>
    public IReadOnlyList<string> NamedPermissions { get; private init; } = [];

    /// <summary>Gets a value indicating whether the code is one Graph uses to refuse a permission (so a refusal
    /// despite a held permission is a known shape, not a mystery).</summary>
    public bool PermissionRefusalCode { get; private init; }

    /// <summary>Gets a value indicating whether Graph said the token carries no permission at all.</summary>
    public bool NoPermissionsInToken { get; private init; }

    /// <summary>Gets a value indicating whether Graph refused an app-only token on a delegated-only API.</summary>
    public bool AppOnlyNotSupported { get; private init; }

    /// <summary>Gets a value indicating whether Graph refused a personal Microsoft account.</summary>
    public bool PersonalAccountRefused { get; private init; }

    /// <summary>Gets a value indicating whether the API is a protected API that Microsoft must approve.</summary>
    public bool ProtectedApi { get; private init; }

    /// <summary>Gets what Graph said about a missing license or mailbox, or null.</summary>
    public string? License { get; private init; }

    /// <summary>Gets what Graph said about the signed-in user's directory role, or null.</summary>
    public string? Role { get; private init; }

    /// <summary>Gets a value indicating whether Graph said the token has expired.</summary>
    public bool Expired { get; private init; }

    /// <summary>Gets a value indicating whether Graph said the token itself could not be parsed or validated.</summary>
    public bool MalformedToken { get; private init; }

    /// <summary>Gets a value indicating whether Graph said the Authorization header was empty.</summary>
    public bool EmptyToken { get; private init; }

    /// <summary>Reads the evidence of one error body.</summary>
    public static GraphErrorEvidence Read(GraphErrorBody body, GraphPermissionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(catalog);
        var code = body.Code ?? string.Empty;
        var message = body.Message ?? string.Empty;
        return new GraphErrorEvidence
        {
            NamedPermissions = Named(message, catalog),
            PermissionRefusalCode = PermissionRefusalCodes.Any(c => string.Equals(c, code, StringComparison.OrdinalIgnoreCase)),
            NoPermissionsInToken = Is(code, "NoPermissionsInAccessToken")
                || Has(message, "Either scp or roles claim need to be present")
                || Has(message, "token contains no permissions"),
            AppOnlyNotSupported = Has(message, "only valid with delegated authentication flow")
                || Has(message, "not supported in application-only context")
                || Has(message, "not supported in app-only context")
                || Has(message, "application permissions are not supported")
                || Has(message, "app-only token is not supported")
                || Has(message, "UserPrincipalName value  in token was missing")
                || Has(message, "UserPrincipalName value in token was missing"),
            PersonalAccountRefused = Has(message, "not supported for MSA")
                || Has(message, "MSA accounts are not supported")
                || Has(message, "personal Microsoft account")
                || Has(message, "not supported for personal accounts")
                || Has(message, "consumer accounts are not supported"),
            ProtectedApi = Has(message, "Protected API"),
            License = LicenseText(code, message),
            Role = Is(code, "Authentication_RequestFromUnsupportedUserRole") || Has(message, "not in the allowed roles")
                || Has(message, "does not have the required role") || Has(message, "user role is not allowed")
                ? "Graph refused the signed-in user's directory role (" + Shorten(message) + ")"
                : null,
            Expired = Has(message, "token is expired") || Has(message, "Lifetime validation failed")
                || Has(message, "has expired") || Has(message, "token expired"),
            EmptyToken = Has(message, "Access token is empty"),
            MalformedToken = Has(message, "CompactToken parsing failed") || Has(message, "JWT is not well formed")
                || Has(message, "IDX1") || Has(message, "Signature validation failed") || Has(message, "signature is invalid") || Has(message, "Invalid signature"),
        };
    }

    private static string? LicenseText(string code, string message)
    {
        if (Is(code, "MailboxNotEnabledForRESTAPI") || Has(message, "REST API is not yet supported for this mailbox")
            || Has(message, "mailbox is either inactive"))
        {
            return "The user has no Exchange Online mailbox that Graph can reach (no license with Exchange Online, an inactive or soft-deleted mailbox, a mailbox hosted on-premises, or a guest account).";
        }

        if (Is(code, "Authentication_RequestFromNonPremiumTenantOrB2CTenant") || Has(message, "doesn't have premium license"))
        {
            return "The tenant lacks the Microsoft Entra ID P1/P2 (Azure AD Premium) license this data needs (sign-in logs, signInActivity), or is a B2C tenant.";
        }

        if (Has(message, "Teams is disabled"))
        {
            return "Teams is disabled for this user or tenant: the user's license does not include Microsoft Teams (F1 and some plans), or Teams is turned off.";
        }

        if (Has(message, "license"))
        {
            return "Graph refused for want of a license (" + Shorten(message) + "): assign the user (or tenant) the Microsoft 365 license that includes this workload.";
        }

        return null;
    }

    private static List<string> Named(string message, GraphPermissionCatalog catalog)
    {
        if (message.Length == 0)
        {
            return [];
        }

        // What the token holds is quoted after these phrases (Teams): never take it for what the call needs.
        foreach (var marker in new[] { "Roles on the request", "Scopes on the request", "scopes on the token", "roles on the token" })
        {
            var at = message.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                message = message[..at];
            }
        }

        if (!NeedsPhrase().IsMatch(message))
        {
            return [];
        }

        var names = new List<string>();
        foreach (Match match in PermissionName().Matches(message))
        {
            if (catalog.Permission(match.Value) is { } permission && !names.Contains(permission.Name, StringComparer.OrdinalIgnoreCase))
            {
                names.Add(permission.Name);
            }
        }

        return names;
    }

    private static string Shorten(string message) => message.Length <= 160 ? message : message[..160] + "…";

    private static bool Is(string? code, string expected) => string.Equals(code, expected, StringComparison.OrdinalIgnoreCase);

    private static bool Has(string text, string value) => text.Contains(value, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"requires? one of|must have one of|one of the following (scopes|permissions|roles)|missing (scope|role|permission)|required (scopes?|roles?|permissions?)|(scopes?|permissions?|roles?) (is|are) (required|missing)|needs? (the )?(scope|permission)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NeedsPhrase();

    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)?(?:\.[A-Za-z0-9\-]+)+", RegexOptions.CultureInvariant)]
    private static partial Regex PermissionName();
}
