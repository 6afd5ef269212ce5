using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Turns a Graph request path into segments a catalog template can match: drops the version (<c>/v1.0</c>,
/// <c>/beta</c>), unescapes segments, splits OData keys (<c>users('alice@contoso.com')</c>) and folds a drive
/// item path (<c>root:/a/b.txt:/content</c>) into <c>items/{id}/content</c>.
/// </summary>
internal static class GraphPathTemplate
{
    public const string Placeholder = GraphPath.Placeholder;

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
    public static IReadOnlyList<string> Normalize(string absolutePath) => GraphPath.Normalize(absolutePath);

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
}
