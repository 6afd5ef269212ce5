namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Turns a Graph request path into segments a catalog template can match: drops the version (<c>/v1.0</c>,
/// <c>/beta</c>), unescapes segments, splits OData keys (<c>users('alice@contoso.com')</c>) and folds a drive
/// item path (<c>root:/a/b.txt:/content</c>) into <c>items/{id}/content</c>.
/// </summary>
internal static class GraphPathTemplate
{
    public const string Placeholder = "{id}";

    public static IReadOnlyList<string> Split(string path)
    {
        var segments = new List<string>();
        foreach (var raw in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            segments.Add(raw);
        }

        return segments;
    }

    /// <summary>Normalizes the absolute path of a request into segments, without the version segment.</summary>
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

    /// <summary>Whether request segments match template segments (literals case-insensitive, <c>{...}</c> any one segment).</summary>
    public static bool Matches(IReadOnlyList<string> template, IReadOnlyList<string> request, out int literals)
    {
        literals = 0;
        if (template.Count != request.Count)
        {
            return false;
        }

        for (var i = 0; i < template.Count; i++)
        {
            var t = template[i];
            if (t.StartsWith('{') && t.EndsWith('}'))
            {
                continue;
            }

            if (!string.Equals(t, request[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            literals++;
        }

        return true;
    }

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
