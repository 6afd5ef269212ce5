using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using static GraphAuthResilience.Diagnosis.GraphPermissionCatalogFormat;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// The permissions of every Microsoft Graph operation, from the embedded catalog that
/// tools/GraphAuthResilience.CatalogGenerator makes out of Microsoft's permission map and permission ids (MIT) and the
/// reviewed overrides. The catalog is read in place from its compact binary form
/// (<see cref="GraphPermissionCatalogFormat"/>): loading copies the embedded bytes once and builds only the
/// permission table; paths sit in a segment tree of fixed-size records keyed by <see cref="GraphPathTemplate"/>
/// tokens, so a lookup walks the request's segments (a hash probe or a scan of at most
/// <see cref="GraphPermissionCatalogFormat.SmallChildren"/> children per segment) whatever the number of operations.
/// An operation's permissions stay in their compact text form until a lookup finds them.
/// </summary>
internal sealed class GraphPermissionCatalog
{
    internal const string ResourceName = "GraphAuthResilience.GraphPermissionCatalog.generated.bin";

    private const string Namespace = "microsoft.graph.";

    private static readonly Lazy<GraphPermissionCatalog> LazyDefault = new(LoadEmbedded);

    private readonly byte[] _data;
    private readonly int _nodes;
    private readonly int _hashes;
    private readonly int _heap;
    private readonly int _texts;
    private readonly int _permissionRecords;
    private readonly Dictionary<string, GraphPermissionInfo> _byName;
    private readonly GraphPermissionInfo[] _permissions;
    private readonly string[] _notes;
    private readonly string?[] _textCache;

    private GraphPermissionCatalog(byte[] data)
    {
        _data = data;
        if (data.Length < HeaderSize || U32(0) != Magic)
        {
            throw new InvalidDataException("Not a permission catalog (GraphPermissionCatalogFormat).");
        }

        _nodes = (int)U32(NodesAt);
        _hashes = (int)U32(HashesAt);
        _heap = (int)U32(HeapAt);
        _texts = (int)U32(TextsAt);
        _permissionRecords = (int)U32(PermissionsAt);
        NodeCount = (int)U32(NodeCountAt) - 1;
        OperationCount = (int)U32(OperationCountAt);
        _textCache = new string?[U32(TextCountAt)];

        var notesAt = (int)U32(NotesAt);
        _notes = new string[U32(NoteCountAt)];
        for (var i = 0; i < _notes.Length; i++)
        {
            _notes[i] = String(notesAt + (i * StringRefSize));
        }

        var count = (int)U32(PermissionCountAt);
        _permissions = new GraphPermissionInfo[count];
        _byName = new Dictionary<string, GraphPermissionInfo>(count, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < count; i++)
        {
            var at = _permissionRecords + (i * PermissionSize);
            var flags = data[at + 6];
            var permission = new GraphPermissionInfo(
                String(at),
                (flags & ResourceSpecific) != 0,
                data[at + 7] | (data[at + 8] << 8) | (data[at + 9] << 16),
                (flags & HasScopeId) != 0 ? new Guid(data.AsSpan(at + 10, 16)) : null,
                (flags & HasAppRoleId) != 0 ? new Guid(data.AsSpan(at + 26, 16)) : null,
                ((flags & ScopeIdInUsGovernment) != 0 ? 1 : 0) | ((flags & AppRoleIdInUsGovernment) != 0 ? 2 : 0),
                this,
                i);
            _permissions[i] = permission;
            _byName.TryAdd(permission.Name, permission); // The map has a few names that differ only in case.
        }
    }

    /// <summary>Gets the catalog shipped in the assembly (loaded on first use).</summary>
    public static GraphPermissionCatalog Default => LazyDefault.Value;

    /// <summary>Gets the source and license of the data the catalog is derived from.</summary>
    public string Notice => String(NoticeAt);

    /// <summary>Gets the number of segment-tree nodes (the root not counted).</summary>
    public int NodeCount { get; }

    /// <summary>Gets the number of method + path (+ body variant) entries.</summary>
    public int OperationCount { get; }

    /// <summary>Gets the number of permissions the catalog knows.</summary>
    public int PermissionCount => _permissions.Length;

    /// <summary>Gets the size of the compact form in bytes (what the catalog keeps besides its permission table).</summary>
    public int SizeInBytes => _data.Length;

    /// <summary>Gets every operation (materialized on each call; for tests and tools, not the request path).</summary>
    public IEnumerable<GraphOperationPermissions> Operations
    {
        get
        {
            for (var node = 0; node <= NodeCount; node++)
            {
                if (Spec(node) is { } spec)
                {
                    foreach (var part in spec.Split('|'))
                    {
                        yield return Materialize(node, part, stripApplication: false);
                    }
                }
            }
        }
    }

    /// <summary>Gets every permission of the map, ordered by name (ordinal).</summary>
    public IReadOnlyList<GraphPermissionInfo> Permissions => _permissions;

    /// <summary>Finds a permission by name (case-insensitive).</summary>
    public GraphPermissionInfo? Permission(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads a catalog in the compact form the generator writes.</summary>
    /// <param name="data">The bytes; kept, not copied.</param>
    /// <exception cref="InvalidDataException">The bytes are not a catalog.</exception>
    public static GraphPermissionCatalog Load(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new GraphPermissionCatalog(data);
    }

    /// <summary>A display text of a permission (slot: admin then user text per scheme), decoded once.</summary>
    internal string? Text(int permission, int slot)
    {
        var index = U16(_permissionRecords + (permission * PermissionSize) + 42 + (2 * slot));
        if (index == NoText)
        {
            return null;
        }

        return _textCache[index] ??= String(_texts + (index * StringRefSize));
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
        return found >= 0 && Spec(found) is { } spec && spec.Contains(method.Method + "/", StringComparison.OrdinalIgnoreCase);
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
        if (node < 0 || Spec(node) is not { } spec)
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

    /// <summary>Whether a node's entries (ASCII in the heap) have one for the method, without decoding them.</summary>
    private bool HasMethod(int node, string method)
    {
        var spec = SpecBytes(node);
        var at = 0;
        while (at < spec.Length)
        {
            var end = spec[at..].IndexOf((byte)'|');
            end = end < 0 ? spec.Length : at + end;
            var part = spec[at..end];
            if (part.Length > method.Length && part[method.Length] is (byte)'=' or (byte)'/' && EqualsFolded(part[..method.Length], method))
            {
                return true;
            }

            at = end + 1;
        }

        return false;
    }

    private int Match(int node, List<string> tokens, int index, string method)
    {
        if (index == tokens.Count)
        {
            return HasMethod(node, method) ? node : -1;
        }

        var token = tokens[index];
        if (Child(node, token) is var literal and >= 0 && Match(literal, tokens, index + 1, method) is var found and >= 0)
        {
            return found;
        }

        // An id is never a path-addressed part, a $segment ($count, $value, $ref) or a type cast (microsoft.graph.group).
        return Wildcard(node) is var wildcard and >= 0 && !string.Equals(token, GraphPathTemplate.ItemPath, StringComparison.Ordinal) && !token.StartsWith('$') && !token.StartsWith(Namespace, StringComparison.OrdinalIgnoreCase)
            ? Match(wildcard, tokens, index + 1, method)
            : -1;
    }

    private int Locate(string method, List<string> tokens, out bool viaUsers)
    {
        viaUsers = false;
        if (Match(0, tokens, 0, method) is var exact and >= 0)
        {
            return exact;
        }

        // Fallbacks, in order: a path-addressed item as items/{id}; a trailing $value/$count/$ref or type cast
        // dropped; /me as /users/{id} (delegated only then) and /users/{id} as /me.
        if (tokens.Count == 0)
        {
            return -1;
        }

        var candidates = Candidates(tokens);
        foreach (var candidate in candidates.Skip(1))
        {
            if (Match(0, candidate, 0, method) is var found and >= 0)
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
                if (Match(0, asUser, 0, method) is var user and >= 0)
                {
                    viaUsers = true;
                    return user;
                }
            }
            else if (candidate.Count >= 2 && string.Equals(candidate[0], "users", StringComparison.OrdinalIgnoreCase) && !candidate[1].StartsWith('$'))
            {
                var asMe = new List<string>(candidate.Count - 1) { "me" };
                asMe.AddRange(candidate.Skip(2));
                if (Match(0, asMe, 0, method) is var me and >= 0)
                {
                    return me;
                }
            }
        }

        return -1;
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

    private GraphOperationPermissions Materialize(int node, string part, bool stripApplication)
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

        return new GraphOperationPermissions(method, Template(node), grants, body, reset, protectedApi, note);
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

    /// <summary>Reads and loads the catalog embedded in the assembly (what <see cref="Default"/> does once).</summary>
    internal static GraphPermissionCatalog LoadEmbedded() => new(ReadEmbedded());

    /// <summary>Reads the compact form embedded in the assembly.</summary>
    internal static byte[] ReadEmbedded()
    {
        using var stream = typeof(GraphPermissionCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        var data = new byte[stream.Length];
        stream.ReadExactly(data);
        return data;
    }

    private int Record(int node) => _nodes + (node * NodeSize);

    private ReadOnlySpan<byte> Token(int node) => Bytes(Record(node));

    private ReadOnlySpan<byte> SpecBytes(int node) => Bytes(Record(node) + 8);

    private string? Spec(int node) => U16(Record(node) + 12) == 0 ? null : String(Record(node) + 8);

    private int Parent(int node) => U32(Record(node) + 20) is var parent && parent == NoNode ? -1 : (int)parent;

    private int Wildcard(int node) => (U16(Record(node) + 14) & HasWildcard) != 0 ? (int)U32(Record(node) + 16) : -1;

    /// <summary>The literal child whose token equals the segment (ASCII case-insensitive), or -1.</summary>
    private int Child(int node, string token)
    {
        var record = Record(node);
        var literals = U16(record + 6);
        if (literals == 0)
        {
            return -1;
        }

        var table = (int)U32(record + 24);
        if (table == 0)
        {
            var first = (int)U32(record + 16) + ((U16(record + 14) & HasWildcard) != 0 ? 1 : 0);
            for (var child = first; child < first + literals; child++)
            {
                if (EqualsFolded(Token(child), token))
                {
                    return child;
                }
            }

            return -1;
        }

        var hash = Hash(token);
        if (hash < 0)
        {
            return -1;
        }

        var mask = Slots(literals) - 1;
        for (var slot = (int)(hash & mask); ; slot = (slot + 1) & mask)
        {
            var entry = U32(_hashes + table + (slot * 4));
            if (entry == 0)
            {
                return -1;
            }

            if (EqualsFolded(Token((int)entry - 1), token))
            {
                return (int)entry - 1;
            }
        }
    }

    private string Template(int node)
    {
        var tokens = new List<string>(12);
        for (var at = node; Parent(at) >= 0; at = Parent(at))
        {
            tokens.Add(Encoding.UTF8.GetString(Token(at)));
        }

        tokens.Reverse();
        return GraphPathTemplate.Display(tokens);
    }

    private ReadOnlySpan<byte> Bytes(int reference) => _data.AsSpan(_heap + (int)U32(reference), U16(reference + 4));

    private string String(int reference) => Encoding.UTF8.GetString(Bytes(reference));

    private uint U32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(at));

    private ushort U16(int at) => BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(at));
}
