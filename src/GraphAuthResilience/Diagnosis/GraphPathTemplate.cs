using System.Text;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Turns a Graph path, a request's or a permission map template, into the tokens the catalog's segment tree is
/// keyed by. The same rules apply to both sides, so whatever form a request uses meets its template:
/// <list type="bullet">
/// <item>the version (<c>/v1.0</c>, <c>/beta</c>) and any query are dropped; segments are unescaped (<c>%40</c>,
/// <c>%23EXT%23</c>); comparison is case-insensitive (done by the tree);</item>
/// <item>a template placeholder of any name (<c>{id}</c>, <c>{user-id}</c>) is <see cref="Wildcard"/>, which any one
/// request segment matches (GUIDs, UPNs, keys with <c>=</c>...);</item>
/// <item>key syntax <c>users('alice@contoso.com')</c>, <c>users(id='…')</c> or <c>workflows({id})</c> is two tokens, <c>users</c> and the key;</item>
/// <item>a function or alternate key with parameters, <c>range(address='A1:B2')</c> or
/// <c>servicePrincipals(appId='…')</c>, is one token holding the parameter names: <c>range(address)</c>;</item>
/// <item>an empty call <c>delta()</c> is <c>delta</c>;</item>
/// <item>path addressing <c>root:/a/b.txt:/content</c> (also <c>items/{id}:/a.txt:</c>, <c>sites/host:/sites/x:</c>)
/// is the segment before the colon, then <see cref="ItemPath"/>, then what follows the closing colon.</item>
/// </list>
/// </summary>
internal static class GraphPathTemplate
{
    /// <summary>The token of a template placeholder: matches any one request segment.</summary>
    public const string Wildcard = GraphAuthResilience.Graph.GraphPath.Placeholder;

    /// <summary>The token of a path-addressed part (<c>root:/a/b.txt:</c>): matches any such part.</summary>
    public const string ItemPath = "{item-path}";

    /// <summary>Kept for callers that redact ids: the text that stands for an id.</summary>
    public const string Placeholder = Wildcard;

    /// <summary>Tokenizes a request's absolute path (escaped, as <see cref="Uri.AbsolutePath"/> gives it).</summary>
    public static List<string> Normalize(string absolutePath) => Tokenize(absolutePath, template: false);

    /// <summary>Tokenizes a permission map template (<c>/users/{id}/drive/root:/{id}:/content</c>).</summary>
    public static List<string> TokenizeTemplate(string template) => Tokenize(template, template: true);

    /// <summary>Whether a token is a template placeholder.</summary>
    public static bool IsWildcard(string token) => string.Equals(token, Wildcard, StringComparison.Ordinal);

    /// <summary>Renders tokens as a template for people: <c>/drives/{id}/root:/{item-path}:/content</c>.</summary>
    public static string Display(IReadOnlyList<string> tokens)
    {
        var text = new StringBuilder();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (string.Equals(token, ItemPath, StringComparison.Ordinal))
            {
                text.Append(":/").Append(ItemPath).Append(':');
                continue;
            }

            text.Append('/');
            var open = token.IndexOf('(', StringComparison.Ordinal);
            if (open > 0 && token.EndsWith(')'))
            {
                text.Append(token, 0, open + 1);
                var names = token[(open + 1)..^1].Split(',');
                text.AppendJoin(',', names.Select(n => n + "={value}")).Append(')');
            }
            else
            {
                text.Append(token);
            }
        }

        return text.Length == 0 ? "/" : text.ToString();
    }

    private static List<string> Tokenize(string path, bool template)
    {
        var query = path.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            path = path[..query];
        }

        var raw = Split(path);
        var tokens = new List<string>(raw.Count + 1);
        var start = raw.Count > 0 && IsVersion(raw[0]) ? 1 : 0;
        for (var i = start; i < raw.Count; i++)
        {
            var segment = raw[i];
            if (segment.Length > 1 && segment[^1] == ':' && segment.IndexOf('(', StringComparison.Ordinal) < 0)
            {
                // Path addressing: "root:" then the item's path up to the segment that ends with ':' (or the end).
                AddSegment(tokens, segment[..^1], template);
                var end = i + 1;
                if (template && end < raw.Count && IsPlaceholder(raw[end]))
                {
                    // The map writes root:/{id}: and, a few times, root:/{id} without the closing colon.
                }
                else
                {
                    while (end < raw.Count && raw[end][^1] != ':')
                    {
                        end++;
                    }
                }

                tokens.Add(ItemPath);
                i = end;
                continue;
            }

            AddSegment(tokens, segment, template);
        }

        return tokens;
    }

    private static void AddSegment(List<string> tokens, string raw, bool template)
    {
        var segment = Unescape(raw);
        if (template && IsPlaceholder(segment))
        {
            tokens.Add(Wildcard);
            return;
        }

        var open = segment.IndexOf('(', StringComparison.Ordinal);
        if (open < 0 || segment[^1] != ')')
        {
            tokens.Add(segment);
            return;
        }

        var name = segment[..open];
        var args = segment.AsSpan(open + 1, segment.Length - open - 2).Trim();
        if (name.Length == 0)
        {
            tokens.Add(segment);
            return;
        }

        if (args.IsEmpty)
        {
            tokens.Add(name); // delta() is delta
            return;
        }

        var parameters = ParameterNames(args);
        if (parameters is ["id"])
        {
            // users(id='…') is the key form of users/{id}.
            args = args[(args.IndexOf('=') + 1)..].Trim();
            parameters = null;
        }

        if (parameters is null)
        {
            // Key syntax: users('alice@contoso.com') or workflows({id}).
            tokens.Add(name);
            var key = args.Trim('\'').ToString();
            tokens.Add(template && (IsPlaceholder(key) || key.Length == 0) ? Wildcard : key);
            return;
        }

        parameters.Sort(StringComparer.Ordinal);
        tokens.Add(name + "(" + string.Join(',', parameters) + ")");
    }

    /// <summary>The lower-case parameter names of <c>a='x',b=2</c>, or null when the text is a key, not parameters.</summary>
    private static List<string>? ParameterNames(ReadOnlySpan<char> args)
    {
        var names = new List<string>(2);
        var quoted = false;
        var partStart = 0;
        var sawEquals = false;
        for (var i = 0; i <= args.Length; i++)
        {
            var c = i < args.Length ? args[i] : ',';
            if (c == '\'' && i < args.Length)
            {
                quoted = !quoted;
                continue;
            }

            if (quoted)
            {
                continue;
            }

            if (c == '=' && !sawEquals)
            {
                sawEquals = true;
                var name = args[partStart..i].Trim();
                var rest = args[(i + 1)..];
                var comma = rest.IndexOf(',');
                if (name.IsEmpty || name.ContainsAny('{', '\'') || (comma < 0 ? rest : rest[..comma]).Trim().IsEmpty)
                {
                    return null; // Not name=value: a key that ends with '=' (base64).
                }

                names.Add(name.ToString().ToLowerInvariant());
            }
            else if (c == ',')
            {
                if (!sawEquals)
                {
                    return null; // A composite key without names, or a plain key.
                }

                sawEquals = false;
                partStart = i + 1;
            }
        }

        return names.Count == 0 ? null : names;
    }

    /// <summary>Splits on '/' except inside parentheses (a function argument may hold a slash in quotes).</summary>
    private static List<string> Split(string path)
    {
        var segments = new List<string>(12);
        var depth = 0;
        var quoted = false;
        var start = 0;
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (depth > 0 && c == '\'')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == '(')
            {
                depth++;
            }
            else if (!quoted && c == ')' && depth > 0)
            {
                depth--;
            }
            else if (c == '/' && depth == 0)
            {
                if (i > start)
                {
                    segments.Add(path[start..i]);
                }

                start = i + 1;
            }
        }

        if (depth > 0 || quoted)
        {
            // Unbalanced: not function syntax after all; split plainly.
            segments.Clear();
            segments.AddRange(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
            return segments;
        }

        if (start < path.Length)
        {
            segments.Add(path[start..]);
        }

        return segments;
    }

    private static bool IsPlaceholder(string segment) =>
        (segment.Length > 2 && segment[0] == '{' && segment[^1] == '}' && segment.IndexOf('{', 1) < 0)
        || (segment.Length > 3 && segment[^1] == ':' && IsPlaceholder(segment[..^1]));

    private static bool IsVersion(string segment) =>
        string.Equals(segment, "v1.0", StringComparison.OrdinalIgnoreCase)
        || string.Equals(segment, "beta", StringComparison.OrdinalIgnoreCase);

    private static string Unescape(string segment)
    {
        if (segment.IndexOf('%', StringComparison.Ordinal) < 0)
        {
            return segment;
        }

        try
        {
            return Uri.UnescapeDataString(segment);
        }
        catch (UriFormatException)
        {
            return segment;
        }
    }
}
