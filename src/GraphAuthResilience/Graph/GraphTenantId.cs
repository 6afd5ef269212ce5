namespace GraphAuthResilience.Graph;

/// <summary>What a per-request tenant may be: a directory (tenant) id as a GUID, or a verified domain name such as
/// <c>contoso.onmicrosoft.com</c>. Nothing else reaches a token request: not <c>common</c>, <c>organizations</c> or
/// <c>consumers</c> (they name no tenant), not a URL, not a path.</summary>
internal static class GraphTenantId
{
    private static readonly System.Buffers.SearchValues<char> LowerHexOrHyphen = System.Buffers.SearchValues.Create("0123456789abcdef-");

    private const int MaxDomainLength = 253;
    private const int MaxLabelLength = 63;

    /// <summary>Checks <paramref name="value"/> and gives its canonical form: a GUID in lower-case <c>D</c> format, a
    /// domain in lower case.</summary>
    /// <param name="value">The tenant as given.</param>
    /// <param name="tenantId">The canonical form, when valid.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> is a GUID or a domain name.</returns>
    public static bool TryNormalize(string? value, out string tenantId)
    {
        tenantId = string.Empty;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (value.Length == 36 && IsCanonicalGuid(value))
        {
            // Already canonical (the usual case): the same string, nothing parsed or allocated per request.
            tenantId = value;
            return true;
        }

        if (value.Length == 36 && Guid.TryParseExact(value, "D", out var guid))
        {
            tenantId = guid.ToString("D");
            return true;
        }

        if (!IsDomainName(value))
        {
            return false;
        }

        tenantId = value.AsSpan().ContainsAnyInRange('A', 'Z') ? value.ToLowerInvariant() : value;
        return true;
    }

    /// <summary>Whether <paramref name="value"/> (36 characters) is a GUID in canonical form: lower-case hex digits in
    /// groups of 8-4-4-4-12.</summary>
    private static bool IsCanonicalGuid(string value)
    {
        var span = value.AsSpan();
        return span[8] == '-' && span[13] == '-' && span[18] == '-' && span[23] == '-'
            && span.IndexOfAnyExcept(LowerHexOrHyphen) < 0 && span.Count('-') == 4;
    }

    private static bool IsDomainName(string value)
    {
        if (value.Length > MaxDomainLength || !value.Contains('.', StringComparison.Ordinal))
        {
            return false;
        }

        var rest = value.AsSpan();
        while (true)
        {
            var dot = rest.IndexOf('.');
            var label = dot < 0 ? rest : rest[..dot];
            if (label.Length is 0 or > MaxLabelLength || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }

            if (dot < 0)
            {
                // The last label is a top-level domain: letters only (rules out dotted numbers such as an IP address).
                foreach (var c in label)
                {
                    if (!char.IsAsciiLetter(c))
                    {
                        return false;
                    }
                }

                return true;
            }

            rest = rest[(dot + 1)..];
        }
    }
}
