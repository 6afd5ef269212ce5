namespace GraphAuthResilience.Graph;

/// <summary>
/// Graph request paths: normalised into segments a catalog template can match (no version segment, segments
/// unescaped, OData keys split, drive item paths folded), and redacted for logs and messages (no ids, UPNs or query).
/// </summary>
internal static class GraphPath
{
    /// <summary>The segment that stands for an id in templates and redacted paths.</summary>
    public const string Placeholder = "{id}";

    /// <summary>Normalizes the absolute path of a request into segments, without the version segment.</summary>
    /// <remarks><c>users('alice@contoso.com')</c> becomes <c>users/alice@contoso.com</c>;
    /// <c>root:/a/b.txt:/content</c> becomes <c>items/{id}/content</c>.</remarks>
    public static IReadOnlyList<string> Normalize(string absolutePath)
    {
        var path = FoldItemPath(absolutePath);
        var segments = new List<string>();
        foreach (var raw in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = Unescape(raw);
            var open = segment.IndexOf('(', StringComparison.Ordinal);
            if (open > 0 && segment.EndsWith(')'))
            {
                // OData key syntax: users('alice@contoso.com') is users/alice@contoso.com.
                segments.Add(segment[..open]);
                segments.Add(segment[(open + 1)..^1].Trim('\''));
                continue;
            }

            segments.Add(segment);
        }

        if (segments.Count > 0 && IsVersion(segments[0]))
        {
            segments.RemoveAt(0);
        }

        return segments;
    }

    /// <summary>The request path without version, query, ids or UPNs (<c>/users/{id}/messages</c>), safe for logs.</summary>
    public static string Redact(Uri? uri) => uri is { IsAbsoluteUri: true }
        ? "/" + string.Join('/', Normalize(uri.AbsolutePath).Select(s => LooksLikeId(s) ? Placeholder : s))
        : "(relative)";

    private static bool LooksLikeId(string segment) =>
        segment.Contains('@', StringComparison.Ordinal)
        || segment.Contains('!', StringComparison.Ordinal)
        || Guid.TryParse(segment, out _)
        || (segment.Length >= 16 && segment.Any(char.IsDigit));

    private static bool IsVersion(string segment) =>
        string.Equals(segment, "v1.0", StringComparison.OrdinalIgnoreCase)
        || string.Equals(segment, "beta", StringComparison.OrdinalIgnoreCase);

    private static string Unescape(string segment)
    {
        try
        {
            return Uri.UnescapeDataString(segment);
        }
        catch (UriFormatException)
        {
            return segment;
        }
    }

    private static string FoldItemPath(string path)
    {
        // root:/folder/file.txt:/content  ->  items/{id}/content ; root:/folder/file.txt  ->  items/{id}
        var start = path.IndexOf("root:", StringComparison.OrdinalIgnoreCase);
        if (start < 0)
        {
            return path;
        }

        var afterColon = start + "root:".Length;
        var end = path.IndexOf(':', afterColon);
        var rest = end < 0 ? string.Empty : path[(end + 1)..];
        return string.Concat(path.AsSpan(0, start), "items/", Placeholder, rest.Length == 0 || rest.StartsWith('/') ? rest : "/" + rest);
    }
}
