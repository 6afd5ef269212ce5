using System.Buffers;
using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Permissions;

/// <summary>
/// The request shapes already matched to a catalog operation, so that a request of a shape seen before finds its
/// <see cref="RecordedOperation"/> by walking its path in place: no string, list or lookup object is made. A shape is
/// the request's segments with the ones the catalog matched by a placeholder (<c>{id}</c>) as wildcards, so
/// <c>/users/8f1…</c> and <c>/users/alice@contoso.com</c> share one shape. Anything the walk is unsure of (key syntax,
/// functions, path addressing, escaped literals, a segment that does not look like an id where only a wildcard would
/// match) is a miss, and the caller asks the catalog, which is always right.
/// </summary>
/// <remarks>
/// A wildcard takes only a segment that looks like an id (<see cref="IsIdLike"/>) and is none of the few catalog
/// literals that look like one too (<see cref="IdLikeLiterals"/>; a test walks the whole catalog to keep that list
/// complete), so a shape never swallows an operation of its own that was not seen yet. Reads take no lock (copy-on-write arrays); additions are serialised and bounded.
/// </remarks>
internal sealed class OperationPathIndex
{
    /// <summary>Characters that literal Graph path segments never hold and ids nearly always do.</summary>
    private static readonly SearchValues<char> IdCharacters = SearchValues.Create("0123456789@%=-_!+~,");

    /// <summary>
    /// The literals of the catalog that look like ids and sit where a placeholder could match too (two of them are
    /// sample ids Microsoft's map writes as literals). A segment equal to one of them is never taken through a
    /// wildcard; a test walks the catalog and fails when this list misses one.
    /// </summary>
    internal static readonly string[] IdLikeLiterals =
    [
        "x509certificate", "fido2", "importoffice365deviceconfigurationpolicies",
        "87654321-0abc-zqf0-321456789q", "57dab8b1894c409ab240bd8beae78896",
    ];

    /// <summary>The lengths of <see cref="IdLikeLiterals"/>, one bit each.</summary>
    private static readonly ulong IdLikeLiteralLengths = IdLikeLiterals.Aggregate(0UL, (bits, literal) => literal.Length < 64 ? bits | (1UL << literal.Length) : bits);

    /// <summary>Characters of syntax the walk leaves to the catalog (keys, functions, path addressing, escapes).</summary>
    internal const string CatalogOnlyCharacters = "(':\\";

    private static readonly SearchValues<char> CatalogOnly = SearchValues.Create(CatalogOnlyCharacters);

    private readonly Node _root = new(string.Empty);
    private readonly object _gate = new();
    private readonly int _maxNodes;
    private int _nodes;

    public OperationPathIndex(int maxNodes) => _maxNodes = maxNodes;

    /// <summary>Gets the number of nodes (for tests).</summary>
    public int NodeCount => Volatile.Read(ref _nodes);

    /// <summary>Whether a segment may stand where the catalog has a placeholder.</summary>
    public static bool IsIdLike(ReadOnlySpan<char> segment) =>
        segment.Length > 0 && segment[0] != '$' && (char.IsAsciiDigit(segment[0]) || segment.IndexOfAny(IdCharacters) >= 0);

    /// <summary>Where the path of an absolute URI sits in the text it was made from (<see cref="Uri.OriginalString"/>),
    /// without scheme, host, query or fragment: its start and length (no allocation); empty when that text is not
    /// plainly <c>scheme://host/path</c>.</summary>
    public static (int Start, int Length) PathRange(string text)
    {
        var span = text.AsSpan();
        var scheme = span.StartsWith("https://", StringComparison.Ordinal) ? 5 : span.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0)
        {
            return default;
        }

        var slash = span[(scheme + 3)..].IndexOf('/');
        if (slash < 0)
        {
            return default;
        }

        var start = scheme + 3 + slash;
        var end = span[start..].IndexOfAny('?', '#');
        return (start, end < 0 ? span.Length - start : end);
    }

    /// <summary>Whether a request's segment goes through a wildcard of the index: id-like, none of the
    /// <see cref="IdLikeLiterals"/>, no path addressing. The one rule for the walk and for <see cref="RecentOperations"/>;
    /// both have already checked the segment for <see cref="CatalogOnlyCharacters"/> (the walk over the whole path).</summary>
    public static bool TakesWildcard(ReadOnlySpan<char> segment) =>
        IsIdLike(segment) && !IsIdLikeLiteral(segment) && !IsPathAddressing(segment);

    /// <summary>A <c>.</c> or <c>..</c> segment (non-empty): path addressing, which only the catalog reads.</summary>
    private static bool IsPathAddressing(ReadOnlySpan<char> segment) =>
        segment[0] == '.' && (segment.Length == 1 || (segment.Length == 2 && segment[1] == '.'));

    /// <summary>Finds the operation of a shape seen before.</summary>
    public RecordedOperation? Find(string method, ReadOnlySpan<char> path) => Find(method, path, out _);

    /// <summary>Finds the operation of a shape seen before, saying whether the path's last segment was matched by a
    /// wildcard (then any other segment that <see cref="TakesWildcard"/> there finds the same operation).</summary>
    public RecordedOperation? Find(string method, ReadOnlySpan<char> path, out bool lastWildcard)
    {
        lastWildcard = false;
        var rest = SkipVersion(path);

        // What no shape holds, checked once over the whole path: a trailing slash, syntax only the catalog reads.
        return rest.IsEmpty || rest[^1] == '/' || rest.IndexOfAny(CatalogOnly) >= 0 ? null : Walk(_root, rest, method, ref lastWildcard);
    }

    /// <summary>Remembers the shape of <paramref name="path"/> for <paramref name="operation"/> when the request's segments
    /// line up with the catalog's template; does nothing when they do not, or when the index is full.</summary>
    /// <param name="method">The request method.</param>
    /// <param name="path">The request path (<see cref="PathRange"/>).</param>
    /// <param name="template">The tokens of the operation's template (<see cref="GraphPathTemplate.TokenizeTemplate"/>).</param>
    /// <param name="operation">The operation.</param>
    /// <returns>Whether the shape was added (or was there already).</returns>
    public bool TryAdd(string method, ReadOnlySpan<char> path, IReadOnlyList<string> template, RecordedOperation operation)
    {
        if (Shape(SkipVersion(path), template) is not { } shape)
        {
            return false;
        }

        lock (_gate)
        {
            var node = _root;
            foreach (var token in shape)
            {
                var next = token is null ? node.Wildcard : node.Literal(token);
                if (next is null)
                {
                    if (_nodes >= _maxNodes)
                    {
                        return false;
                    }

                    next = new Node(token ?? GraphPathTemplate.Wildcard);
                    _nodes++;
                    if (token is null)
                    {
                        node.Wildcard = next;
                    }
                    else
                    {
                        node.Literals = [.. node.Literals, next];
                    }
                }

                node = next;
            }

            foreach (var terminal in node.Terminals)
            {
                if (string.Equals(terminal.Method, method, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            node.Terminals = [.. node.Terminals, new Terminal(method, operation)];
            return true;
        }
    }

    private static bool IsIdLikeLiteral(ReadOnlySpan<char> segment)
    {
        if (segment.Length < 64 && (IdLikeLiteralLengths & (1UL << segment.Length)) == 0)
        {
            return false; // a GUID (36) and most other ids: no comparison at all
        }

        foreach (var literal in IdLikeLiterals)
        {
            if (segment.Length == literal.Length && segment.Equals(literal, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<char> SkipVersion(ReadOnlySpan<char> path)
    {
        if (path.StartsWith("/v1.0/", StringComparison.Ordinal))
        {
            return path[6..]; // as nearly every request is written
        }

        path = path.TrimStart('/');
        var slash = path.IndexOf('/');
        var first = slash < 0 ? path : path[..slash];
        return first.Equals("v1.0", StringComparison.OrdinalIgnoreCase) || first.Equals("beta", StringComparison.OrdinalIgnoreCase)
            ? (slash < 0 ? [] : path[(slash + 1)..])
            : path;
    }

    /// <summary>Walks the segments of <paramref name="rest"/> (checked by <see cref="Find(string, ReadOnlySpan{char}, out bool)"/>) from <paramref name="node"/>:
    /// a segment equal to a literal child goes there, an id-like one through the wildcard; only a segment that could
    /// take both ways (an id-like literal) tries the literal first and then the wildcard.</summary>
    private static RecordedOperation? Walk(Node node, ReadOnlySpan<char> rest, string method, ref bool lastWildcard)
    {
        while (!rest.IsEmpty)
        {
            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            rest = slash < 0 ? [] : rest[(slash + 1)..];
            if (segment.IsEmpty || IsPathAddressing(segment))
            {
                return null; // "//", or path addressing: only the catalog reads them.
            }

            var literal = node.Literal(segment);
            var wildcard = node.Wildcard is { } w && TakesWildcard(segment) ? w : null;
            if (literal is not null && wildcard is not null)
            {
                if (Walk(literal, rest, method, ref lastWildcard) is { } found)
                {
                    return found;
                }

                lastWildcard = rest.IsEmpty;
                return Walk(wildcard, rest, method, ref lastWildcard);
            }

            node = literal ?? wildcard!;
            if (node is null)
            {
                return null;
            }

            lastWildcard = rest.IsEmpty && literal is null;
        }

        return node.Terminal(method);
    }

    /// <summary>Lines the request's segments up with the template: a literal where the template has one (equal but for
    /// case), a wildcard (<see langword="null"/>) where it has a placeholder. Handles the catalog's own fallbacks:
    /// <c>/me/…</c> found as <c>/users/{id}/…</c>, <c>/users/{id}/…</c> found as <c>/me/…</c>, and a trailing
    /// <c>$value</c>/<c>$count</c>/<c>$ref</c> dropped.</summary>
    private static string?[]? Shape(ReadOnlySpan<char> path, IReadOnlyList<string> template)
    {
        var segments = new List<string>(8);
        while (!path.IsEmpty)
        {
            var slash = path.IndexOf('/');
            var segment = slash < 0 ? path : path[..slash];
            path = slash < 0 ? [] : path[(slash + 1)..];
            if (segment.IsEmpty || (slash >= 0 && path.IsEmpty) || segment.IndexOfAny(CatalogOnly) >= 0 || IsPathAddressing(segment))
            {
                return null;
            }

            segments.Add(segment.ToString());
        }

        if (segments.Count == 0)
        {
            return null;
        }

        var shape = new string?[segments.Count];
        int s = 0, t = 0;
        if (Eq(segments[0], "me") && IsUsersTemplate(template))
        {
            shape[0] = segments[0]; // /me/x found as /users/{id}/x
            s = 1;
            t = 2;
        }
        else if (segments.Count >= 2 && Eq(segments[0], "users") && IsMeTemplate(template) && TakesWildcard(segments[1]))
        {
            shape[0] = segments[0]; // /users/{id}/x found as /me/x
            shape[1] = null;
            s = 2;
            t = 1;
        }

        var tail = segments.Count - s == template.Count - t + 1 && segments[^1].StartsWith('$') ? 1 : 0;
        if (segments.Count - s - tail != template.Count - t)
        {
            return null;
        }

        for (; s < segments.Count - tail; s++, t++)
        {
            if (GraphPathTemplate.IsWildcard(template[t]))
            {
                if (!TakesWildcard(segments[s]))
                {
                    return null; // The walk would never take this segment through a wildcard.
                }

                shape[s] = null;
            }
            else if (Eq(segments[s], template[t]))
            {
                shape[s] = segments[s];
            }
            else
            {
                return null;
            }
        }

        if (tail == 1)
        {
            shape[^1] = segments[^1];
        }

        return shape;

        static bool Eq(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

        static bool IsUsersTemplate(IReadOnlyList<string> template) =>
            template.Count >= 2 && Eq(template[0], "users") && GraphPathTemplate.IsWildcard(template[1]);

        static bool IsMeTemplate(IReadOnlyList<string> template) => template.Count >= 1 && Eq(template[0], "me");
    }

    private sealed class Node(string token)
    {
        public string Token { get; } = token;

        public Node[] Literals { get; set; } = [];

        public Node? Wildcard { get; set; }

        public Terminal[] Terminals { get; set; } = [];

        public Node? Literal(ReadOnlySpan<char> token)
        {
            foreach (var literal in Literals)
            {
                if (literal.Token.Length == token.Length && token.Equals(literal.Token, StringComparison.OrdinalIgnoreCase))
                {
                    return literal;
                }
            }

            return null;
        }

        public RecordedOperation? Terminal(string method)
        {
            foreach (var terminal in Terminals)
            {
                if (ReferenceEquals(terminal.Method, method) || string.Equals(terminal.Method, method, StringComparison.Ordinal))
                {
                    return terminal.Operation;
                }
            }

            return null;
        }
    }

    private sealed record Terminal(string Method, RecordedOperation Operation);
}
