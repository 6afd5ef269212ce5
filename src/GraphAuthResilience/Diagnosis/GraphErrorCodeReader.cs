using System.Text.RegularExpressions;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Reads an error code by its words (split at capitals and underscores), as Microsoft documents them in the Graph
/// error reference (learn.microsoft.com/graph/errors: <c>accessDenied</c>, <c>invalidAuthenticationToken</c>,
/// <c>unauthenticated</c>) and the directory's codes (<c>Authorization_RequestDenied</c>,
/// <c>Authorization_IdentityNotFound</c>, <c>Authentication_…</c>): a code that names a missing permission,
/// refused access, a license, a role, an expired or malformed token. An unknown code with such words reads the same
/// way as a documented one.
/// </summary>
internal static partial class GraphErrorCodeReader
{
    /// <summary>Reads a code.</summary>
    /// <param name="code">Graph's <c>error.code</c>, or <see langword="null"/>.</param>
    /// <returns>What it says.</returns>
    public static GraphCodeMeaning Read(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return GraphCodeMeaning.None;
        }

        var words = Words(code);
        if (Is(code, "NoPermissionsInAccessToken"))
        {
            return GraphCodeMeaning.NoPermissions;
        }

        if (Is(code, "MailboxNotEnabledForRESTAPI"))
        {
            return GraphCodeMeaning.MailboxNotReachable;
        }

        if (Is(code, "Authorization_IdentityNotFound") || (words.Contains("identity") && words.Contains("notfound")))
        {
            return GraphCodeMeaning.IdentityNotFound;
        }

        if (words.Contains("premium") || words.Contains("license") || words.Contains("licence"))
        {
            return GraphCodeMeaning.License;
        }

        if (words.Contains("role") && (words.Contains("unsupported") || words.Contains("user")))
        {
            return GraphCodeMeaning.UserRole;
        }

        if (words.Contains("expired"))
        {
            return GraphCodeMeaning.Expired;
        }

        var lacks = words.Contains("missing") || words.Contains("hasno") || words.Contains("notgranted") || words.Contains("lacks") || code.Contains("HasNo", StringComparison.Ordinal);
        if (lacks && (words.Contains("permission") || words.Contains("scope") || words.Contains("access") || words.Contains("role")))
        {
            return GraphCodeMeaning.PermissionMissing;
        }

        if (Is(code, "InvalidAuthenticationToken") || Is(code, "AuthenticationError") || Is(code, "unauthenticated")
            || Is(code, "Authentication_MissingOrMalformed") || Is(code, "Authentication_Unauthorized") || Is(code, "InvalidAuthenticationTokenAudience")
            || (words.Contains("authentication") && (words.Contains("invalid") || words.Contains("error") || words.Contains("malformed") || words.Contains("failed"))))
        {
            return GraphCodeMeaning.NotAuthenticated;
        }

        return words.Contains("denied") || words.Contains("forbidden") || words.Contains("unauthorized") || words.Contains("insufficient") || Is(code, "S2SUnauthorized")
            ? GraphCodeMeaning.Refused
            : GraphCodeMeaning.None;
    }

    /// <summary>Whether a 400 with this code is an authentication answer, diagnosed like a 401.</summary>
    /// <param name="meaning">The code's meaning.</param>
    /// <returns>Whether it is.</returns>
    public static bool IsAuthenticationCode(GraphCodeMeaning meaning) =>
        meaning is GraphCodeMeaning.NotAuthenticated or GraphCodeMeaning.Expired or GraphCodeMeaning.NoPermissions;

    /// <summary>The lower-case words of a code: <c>Authentication_MSGraphPermissionMissing</c> reads
    /// <c>authentication ms graph permission missing</c>; <c>ApplicationHasNo…</c> also yields <c>hasno</c>.</summary>
    internal static HashSet<string> Words(string code)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in Word().Matches(code))
        {
            words.Add(match.Value.ToLowerInvariant());
        }

        var flat = code.Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        foreach (var joined in new[] { "hasno", "notfound", "notgranted" })
        {
            if (flat.Contains(joined, StringComparison.Ordinal))
            {
                words.Add(joined);
            }
        }

        return words;
    }

    private static bool Is(string code, string expected) => string.Equals(code, expected, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"[A-Z]{2,}(?=[A-Z][a-z]|\b|_|\d)|[A-Z]?[a-z]+|\d+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
