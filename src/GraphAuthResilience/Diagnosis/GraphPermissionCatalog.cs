using System.Globalization;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// The permissions of every Microsoft Graph operation, from the embedded catalog that
/// tools/GraphAuthResilience.CatalogGenerator makes out of Microsoft's permission map (MIT) and the reviewed
/// overrides. Paths sit in a segment tree keyed by <see cref="GraphPathTemplate"/> tokens, so a lookup walks the
/// request's segments (a hash or a short scan per segment) whatever the number of operations. An operation's
/// permissions stay in their compact text form until a lookup finds them.
/// </summary>
internal sealed class GraphPermissionCatalog
{
    internal const string ResourceName = "GraphAuthResilience.GraphPermissionCatalog.generated.txt";

    private const int SmallChildren = 8;

    private const string Namespace = "microsoft.graph.";

    private static readonly Lazy<GraphPermissionCatalog> LazyDefault = new(LoadEmbedded);

    private readonly Node _root;
    private readonly Dictionary<string, GraphPermissionInfo> _byName;
    private readonly GraphPermissionInfo[] _permissions;
    private readonly string[] _notes;

    private GraphPermissionCatalog(Node root, GraphPermissionInfo[] permissions, string[] notes, int nodes, int entries)
    {
        _root = root;
        _permissions = permissions;
        _notes = notes;
        _byName = new Dictionary<string, GraphPermissionInfo>(permissions.Length, StringComparer.OrdinalIgnoreCase);
        foreach (var permission in permissions)
        {
            _byName.TryAdd(permission.Name, permission); // The map has a few names that differ only in case.
        }

        NodeCount = nodes;
        OperationCount = entries;
    }

    /// <summary>Gets the catalog shipped in the assembly (loaded on first use).</summary>
    public static GraphPermissionCatalog Default => LazyDefault.Value;

    /// <summary>Gets the number of segment-tree nodes.</summary>
    public int NodeCount { get; }

    /// <summary>Gets the number of method + path (+ body variant) entries.</summary>
    public int OperationCount { get; }

    /// <summary>Gets the number of permissions the catalog knows.</summary>
    public int PermissionCount => _permissions.Length;

    /// <summary>Gets every operation (materialized on each call; for tests and tools, not the request path).</summary>
    public IEnumerable<GraphOperationPermissions> Operations
    {
        get
        {
            var stack = new Stack<Node>();
            stack.Push(_root);
            while (stack.Count > 0)
            {
                var node = stack.Pop();
                if (node.Entries is { } spec)
                {
                    foreach (var part in spec.Split('|'))
                    {
                        yield return Materialize(node, part, stripApplication: false);
                    }
                }

                foreach (var child in node.AllChildren())
                {
                    stack.Push(child);
                }
            }
        }
    }

    /// <summary>Gets every permission of the map, ordered by name (ordinal).</summary>
    public IReadOnlyList<GraphPermissionInfo> Permissions => _permissions;

    /// <summary>Finds a permission by name (case-insensitive).</summary>
    public GraphPermissionInfo? Permission(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads the generated text form.</summary>
    public static GraphPermissionCatalog Load(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var permissions = new List<GraphPermissionInfo>(1024);
        var notes = new List<string>();
        var texts = new List<string>();
        var root = new Node(string.Empty, null);
        var path = new List<Node>(32) { root };
        int nodes = 0, entries = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line[0] == 'D' && line.Length > 1 && line[1] == '\t')
            {
                texts.Add(line[2..]);
                continue;
            }

            if (line[0] == 'P' && line.Length > 1 && line[1] == '\t')
            {
                var fields = line.Split('\t');
                permissions.Add(new GraphPermissionInfo(
                    fields[1],
                    fields[2] == "r",
                    [Scheme(fields[3]), Scheme(fields[4]), Scheme(fields[5])],
                    Id(fields, 6),
                    Id(fields, 7),
                    fields.Length > 13 ? [.. fields[8..14].Select(f => f == "-" ? null : texts[int.Parse(f, NumberStyles.None, CultureInfo.InvariantCulture)])] : null));
                continue;
            }

            if (line[0] == 'N' && line.Length > 1 && line[1] == '\t')
            {
                notes.Add(line[2..]);
                continue;
            }

            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            var depth = int.Parse(line.AsSpan(0, tab), NumberStyles.None, CultureInfo.InvariantCulture);
            var tab2 = line.IndexOf('\t', tab + 1);
            var token = tab2 < 0 ? line[(tab + 1)..] : line[(tab + 1)..tab2];
            var parent = path[depth - 1];
            var node = new Node(GraphPathTemplate.IsWildcard(token) ? GraphPathTemplate.Wildcard : token, parent);
            nodes++;
            if (tab2 >= 0)
            {
                node.Entries = line[(tab2 + 1)..];
                entries += node.Entries.Count(c => c == '|') + 1;
            }

            parent.Add(node);
            path.RemoveRange(depth, path.Count - depth);
            path.Add(node);
        }

        root.Freeze();
        return new GraphPermissionCatalog(root, [.. permissions], [.. notes], nodes, entries);

        static string? Scheme(string text) => text == "-" ? null : text;

        static Guid? Id(string[] fields, int at) => fields.Length > at && Guid.TryParseExact(fields[at], "D", out var id) ? id : null;
    }

    /// <summary>Whether an entry for this request depends on a property of its JSON body.</summary>
    public bool NeedsRequestBody(HttpMethod method, Uri? uri)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (uri is not { IsAbsoluteUri: true })
        {
            return false;
        }

        var found = Locate(method.Method, GraphPathTemplate.Normalize(uri.AbsolutePath), out _);
        return found?.Entries is { } spec && spec.Contains(method.Method + "/", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Finds the operation of a request, or <see langword="null"/> when the catalog does not know it.</summary>
    /// <param name="method">The request method.</param>
    /// <param name="uri">The request URI (query ignored).</param>
    /// <param name="bodyProperties">The top-level properties of the request's JSON body, when it could be read.</param>
    public GraphOperationPermissions? Find(HttpMethod method, Uri? uri, IReadOnlySet<string>? bodyProperties = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        return uri is { IsAbsoluteUri: true } ? Find(method.Method, uri.AbsolutePath, bodyProperties) : null;
    }

    /// <summary>Finds the operation of a method and an absolute path (escaped, version and query allowed).</summary>
    public GraphOperationPermissions? Find(string method, string absolutePath, IReadOnlySet<string>? bodyProperties = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(absolutePath);
        var tokens = GraphPathTemplate.Normalize(absolutePath);
        var node = Locate(method, tokens, out var viaUsers);
        if (node?.Entries is not { } spec)
        {
            return null;
        }

        var part = Pick(spec, method, bodyProperties);
        return part is null ? null : Materialize(node, part, stripApplication: viaUsers);
    }

    private static string? Pick(string spec, string method, IReadOnlySet<string>? bodyProperties)
    {
        string? general = null;
        foreach (var part in spec.Split('|'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = part.AsSpan(0, equals);
            var slash = name.IndexOf('/');
            var partMethod = slash < 0 ? name : name[..slash];
            if (!partMethod.Equals(method, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (slash < 0)
            {
                general = part;
            }
            else if (bodyProperties is not null && bodyProperties.Contains(name[(slash + 1)..].ToString()))
            {
                return part; // A body-specific entry beats the general one.
            }
        }

        return general;
    }

    private static bool HasMethod(string? spec, string method)
    {
        if (spec is null)
        {
            return false;
        }

        var at = 0;
        while (at < spec.Length)
        {
            var end = spec.IndexOf('|', at);
            end = end < 0 ? spec.Length : end;
            var part = spec.AsSpan(at, end - at);
            if (part.StartsWith(method, StringComparison.OrdinalIgnoreCase) && part.Length > method.Length && part[method.Length] is '=' or '/')
            {
                return true;
            }

            at = end + 1;
        }

        return false;
    }

    private static Node? Match(Node node, List<string> tokens, int index, string method)
    {
        if (index == tokens.Count)
        {
            return HasMethod(node.Entries, method) ? node : null;
        }

        var token = tokens[index];
        if (node.Child(token) is { } literal && Match(literal, tokens, index + 1, method) is { } found)
        {
            return found;
        }

        // An id is never a path-addressed part, a $segment ($count, $value, $ref) or a type cast (microsoft.graph.group).
        return node.Wildcard is { } wildcard && !string.Equals(token, GraphPathTemplate.ItemPath, StringComparison.Ordinal) && !token.StartsWith('$') && !token.StartsWith(Namespace, StringComparison.OrdinalIgnoreCase)
            ? Match(wildcard, tokens, index + 1, method)
            : null;
    }

    private Node? Locate(string method, List<string> tokens, out bool viaUsers)
    {
        viaUsers = false;
        if (Match(_root, tokens, 0, method) is { } exact)
        {
            return exact;
        }

        // Fallbacks, in order: a path-addressed item as items/{id}; a trailing $value/$count/$ref or type cast
        // dropped; /me as /users/{id} (delegated only then) and /users/{id} as /me.
        if (tokens.Count == 0)
        {
            return null;
        }

        var candidates = Candidates(tokens);
        foreach (var candidate in candidates.Skip(1))
        {
            if (Match(_root, candidate, 0, method) is { } found)
            {
                return found;
            }
        }

        foreach (var candidate in candidates)
        {
            if (candidate.Count > 0 && string.Equals(candidate[0], "me", StringComparison.OrdinalIgnoreCase))
            {
                var asUser = new List<string>(candidate.Count + 1) { "users", GraphPathTemplate.Wildcard };
                asUser.AddRange(candidate.Skip(1));
                if (Match(_root, asUser, 0, method) is { } user)
                {
                    viaUsers = true;
                    return user;
                }
            }
            else if (candidate.Count >= 2 && string.Equals(candidate[0], "users", StringComparison.OrdinalIgnoreCase) && !candidate[1].StartsWith('$'))
            {
                var asMe = new List<string>(candidate.Count - 1) { "me" };
                asMe.AddRange(candidate.Skip(2));
                if (Match(_root, asMe, 0, method) is { } me)
                {
                    return me;
                }
            }
        }

        return null;
    }

    private static List<List<string>> Candidates(List<string> tokens)
    {
        var candidates = new List<List<string>>(6) { tokens };
        if (tokens.Any(IsQualifiedFunction))
        {
            // A namespace-qualified function: microsoft.graph.getOneDriveActivityUserCounts(period).
            candidates.Add([.. tokens.Select(t => IsQualifiedFunction(t) ? t[Namespace.Length..] : t)]);
        }

        foreach (var candidate in candidates.ToList())
        {
            if (FoldItemPath(candidate) is { } folded)
            {
                candidates.Add(folded);
            }
        }

        // A trailing $count, $value, $ref, or type cast (microsoft.graph.group) dropped.
        var last = tokens[^1];
        if (tokens.Count > 1 && (last.StartsWith('$') || (IsQualified(last) && !last.Contains('(', StringComparison.Ordinal))))
        {
            foreach (var candidate in candidates.ToList())
            {
                candidates.Add(candidate[..^1]);
            }
        }

        return candidates;

        static bool IsQualified(string token) => token.StartsWith(Namespace, StringComparison.OrdinalIgnoreCase) && token.Length > Namespace.Length;

        static bool IsQualifiedFunction(string token) => IsQualified(token) && token.Contains('(', StringComparison.Ordinal);
    }

    /// <summary><c>root/{item-path}</c> → <c>items/{id}</c>; <c>X/{item-path}</c> → <c>X</c> (an item or site addressed by path).</summary>
    private static List<string>? FoldItemPath(List<string> tokens)
    {
        var at = tokens.IndexOf(GraphPathTemplate.ItemPath);
        if (at <= 0)
        {
            return null;
        }

        var folded = new List<string>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (i + 1 < tokens.Count && string.Equals(tokens[i + 1], GraphPathTemplate.ItemPath, StringComparison.Ordinal))
            {
                if (string.Equals(tokens[i], "root", StringComparison.OrdinalIgnoreCase))
                {
                    folded.Add("items");
                    folded.Add("item");
                }
                else
                {
                    folded.Add(tokens[i]);
                }

                i++;
                continue;
            }

            folded.Add(tokens[i]);
        }

        return folded;
    }

    private GraphOperationPermissions Materialize(Node node, string part, bool stripApplication)
    {
        var equals = part.IndexOf('=', StringComparison.Ordinal);
        var name = part[..equals];
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var method = slash < 0 ? name : name[..slash];
        var body = slash < 0 ? null : name[(slash + 1)..];
        var grants = new IReadOnlyList<GraphPermissionAllowance>[] { [], [], [] };
        bool reset = false, protectedApi = false;
        string? note = null;
        var fields = part[(equals + 1)..].Split(';');
        reset = fields[0].Contains('r', StringComparison.Ordinal);
        protectedApi = fields[0].Contains('x', StringComparison.Ordinal);
        for (var f = 1; f < fields.Length; f++)
        {
            var field = fields[f];
            var value = field[2..];
            switch (field[0])
            {
                case 'W':
                    grants[0] = ReadGrants(value);
                    break;
                case 'P':
                    grants[1] = ReadGrants(value);
                    break;
                case 'A':
                    grants[2] = stripApplication ? [] : ReadGrants(value);
                    break;
                case 'n':
                    note = _notes[int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture)];
                    break;
            }
        }

        return new GraphOperationPermissions(method, node.Template(), grants, body, reset, protectedApi, note);
    }

    private GraphPermissionAllowance[] ReadGrants(string text)
    {
        var items = text.Split(',');
        var grants = new GraphPermissionAllowance[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            var plus = item.IndexOf('+', StringComparison.Ordinal);
            var head = plus < 0 ? item : item[..plus];
            var least = head.EndsWith('!');
            var index = int.Parse(least ? head[..^1] : head, NumberStyles.None, CultureInfo.InvariantCulture);
            IReadOnlyList<string> also = plus < 0
                ? []
                : [.. item[(plus + 1)..].Split('.').Select(a => _permissions[int.Parse(a, NumberStyles.None, CultureInfo.InvariantCulture)].Name)];
            grants[i] = new GraphPermissionAllowance(_permissions[index], least, also);
        }

        return grants;
    }

    private static GraphPermissionCatalog LoadEmbedded()
    {
        using var stream = typeof(GraphPermissionCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream);
        return Load(reader);
    }

    private sealed class Node
    {
        private List<Node>? _building;
        private Node[]? _small;
        private Dictionary<string, Node>? _large;

        public Node(string token, Node? parent)
        {
            Token = token;
            Parent = parent;
        }

        public string Token { get; }

        public Node? Parent { get; }

        public Node? Wildcard { get; private set; }

        public string? Entries { get; set; }

        public void Add(Node child)
        {
            if (GraphPathTemplate.IsWildcard(child.Token))
            {
                Wildcard = child;
                return;
            }

            (_building ??= []).Add(child);
        }

        public void Freeze()
        {
            if (_building is { } children)
            {
                if (children.Count > SmallChildren)
                {
                    _large = children.ToDictionary(c => c.Token, StringComparer.OrdinalIgnoreCase);
                }
                else
                {
                    _small = [.. children];
                }

                _building = null;
                foreach (var child in children)
                {
                    child.Freeze();
                }
            }

            Wildcard?.Freeze();
        }

        public Node? Child(string token)
        {
            if (_small is { } small)
            {
                foreach (var child in small)
                {
                    if (string.Equals(child.Token, token, StringComparison.OrdinalIgnoreCase))
                    {
                        return child;
                    }
                }

                return null;
            }

            return _large?.GetValueOrDefault(token);
        }

        public IEnumerable<Node> AllChildren()
        {
            if (Wildcard is { } wildcard)
            {
                yield return wildcard;
            }

            foreach (var child in (IEnumerable<Node>?)_small ?? _large?.Values ?? Enumerable.Empty<Node>())
            {
                yield return child;
            }
        }

        public string Template()
        {
            var tokens = new List<string>(12);
            for (var node = this; node.Parent is not null; node = node.Parent)
            {
                tokens.Add(node.Token);
            }

            tokens.Reverse();
            return GraphPathTemplate.Display(tokens);
        }
    }
}
