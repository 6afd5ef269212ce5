using System.Globalization;
using System.Text;
using System.Text.Json;
using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.CatalogGenerator;

/// <summary>
/// Builds the compact catalog text from Microsoft's permission map (the kibali schema) and the reviewed overrides.
/// Pure: the same inputs always give the same bytes (a test compares them with the checked-in file).
/// </summary>
/// <remarks>
/// The output is the binary form of <see cref="GraphPermissionCatalogFormat"/>, read in place by
/// <see cref="GraphPermissionCatalog"/>: per permission its consent and privilege level per scheme, display texts
/// and global-cloud ids (from Microsoft's provisioning file); the notes of the overrides; the segment tree of every
/// method and path with its entries (permission indexes, <c>!</c> when least-privileged, <c>+i.j</c> for
/// AlsoRequires; flags <c>r</c> password reset, <c>x</c> protected API whose app-only use needs Microsoft's approval).
/// </remarks>
internal static class CatalogGenerator
{
    public const string MapSource = "microsoftgraph/microsoft-graph-devx-content permissions/new/permissions.json commit 6cbd6bbd665a877560fdefbad74f3bdb5b57af88 (2026-08-07)";

    private static readonly string[] Schemes = ["DelegatedWork", "DelegatedPersonal", "Application"];

    private static readonly HashSet<string> KnownRules = new(StringComparer.Ordinal)
    {
        "me-is-delegated",
        "read-prefers-read-permission",
        "resource-specific-last",
        "query-in-template-ignored",
    };

    public const string ProvisioningSource = "microsoftgraph/microsoft-graph-devx-content permissions/new/provisioningInfo.json commit 6cbd6bbd665a877560fdefbad74f3bdb5b57af88 (2026-08-07)";

    /// <summary>Microsoft Graph's application id: the resource every id of the provisioning file belongs to.</summary>
    public const string GraphAppId = "00000003-0000-0000-c000-000000000000";

    public static byte[] Generate(string mapJson, string overridesJson, string provisioningJson)
    {
        ArgumentNullException.ThrowIfNull(mapJson);
        ArgumentNullException.ThrowIfNull(overridesJson);
        ArgumentNullException.ThrowIfNull(provisioningJson);
        using var map = JsonDocument.Parse(mapJson);
        using var overrides = JsonDocument.Parse(overridesJson, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        using var provisioning = JsonDocument.Parse(provisioningJson);

        var rules = ReadRules(overrides.RootElement);
        var fixes = ReadTemplateFixes(overrides.RootElement);
        var permissions = ReadPermissions(map.RootElement);
        ReadIds(provisioning.RootElement, permissions);
        var entries = ReadEntries(map.RootElement, permissions, fixes);

        if (rules.Contains("me-is-delegated"))
        {
            foreach (var entry in entries.Values.Where(e => e.Tokens.Count > 0 && e.Tokens[0].Equals("me", StringComparison.OrdinalIgnoreCase)))
            {
                entry.Grants[2].Clear();
            }
        }

        if (rules.Contains("read-prefers-read-permission"))
        {
            foreach (var entry in entries.Values.Where(e => e.Method == "GET"))
            {
                for (var s = 0; s < 3; s++)
                {
                    var least = entry.Grants[s].Where(g => g.Least && !permissions[g.Permission].Rsc).ToList();
                    if (least.Any(g => IsWrite(g.Permission)) && least.Any(g => !IsWrite(g.Permission)))
                    {
                        foreach (var grant in least.Where(g => IsWrite(g.Permission)))
                        {
                            grant.Least = false;
                        }
                    }
                }
            }
        }

        foreach (var entry in entries.Values)
        {
            for (var s = 0; s < 3; s++)
            {
                Order(entry, s, permissions, rules.Contains("resource-specific-last"));
            }
        }

        var notes = new List<string>();
        ApplyOverrides(overrides.RootElement, entries, permissions, notes);

        return Write(permissions, notes, entries.Values);
    }

    internal static bool IsWrite(string permission) =>
        permission.Contains("ReadWrite", StringComparison.OrdinalIgnoreCase)
        || permission.Contains(".Write", StringComparison.OrdinalIgnoreCase)
        || permission.Contains("Manage", StringComparison.OrdinalIgnoreCase);

    internal static string Key(string method, IReadOnlyList<string> tokens, string? bodyProperty) =>
        method + " " + string.Join('/', tokens).ToLowerInvariant() + (bodyProperty is null ? string.Empty : " " + bodyProperty.ToLowerInvariant());

    private static HashSet<string> ReadRules(JsonElement root)
    {
        var rules = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in root.GetProperty("rules").EnumerateArray())
        {
            var id = rule.GetProperty("id").GetString()!;
            Require(rule, "reason", id);
            Require(rule, "source", id);
            if (!KnownRules.Contains(id))
            {
                throw new InvalidDataException($"Unknown rule '{id}' in the overrides file.");
            }

            rules.Add(id);
        }

        return rules;
    }

    /// <summary>The map's template typos and their corrections, from the overrides file.</summary>
    internal static List<(string From, string To)> ReadTemplateFixes(JsonElement root)
    {
        var fixes = new List<(string, string)>();
        if (root.TryGetProperty("templateFixes", out var list))
        {
            foreach (var fix in list.EnumerateArray())
            {
                var from = fix.GetProperty("from").GetString()!;
                Require(fix, "reason", from);
                fixes.Add((from, fix.GetProperty("to").GetString()!));
            }
        }

        return fixes;
    }

    /// <summary>Applies the template fixes (case-insensitive) to one map path.</summary>
    internal static string FixTemplate(string path, List<(string From, string To)> fixes)
    {
        foreach (var (from, to) in fixes)
        {
            path = path.Replace(from, to, StringComparison.OrdinalIgnoreCase);
        }

        return path;
    }

    private static SortedDictionary<string, PermissionRow> ReadPermissions(JsonElement root)
    {
        var table = new SortedDictionary<string, PermissionRow>(StringComparer.Ordinal);
        foreach (var property in root.GetProperty("permissions").EnumerateObject())
        {
            var row = new PermissionRow(property.Name)
            {
                Rsc = property.Value.TryGetProperty("authorizationType", out var type) && string.Equals(type.GetString(), "RSC", StringComparison.OrdinalIgnoreCase),
            };
            if (property.Value.TryGetProperty("schemes", out var schemes))
            {
                for (var s = 0; s < 3; s++)
                {
                    if (schemes.TryGetProperty(Schemes[s], out var scheme))
                    {
                        var admin = scheme.TryGetProperty("requiresAdminConsent", out var consent) && consent.ValueKind == JsonValueKind.True;
                        var level = scheme.TryGetProperty("privilegeLevel", out var privilege) && privilege.ValueKind == JsonValueKind.Number ? privilege.GetInt32() : 0;
                        row.Schemes[s] = (admin ? "a" : "u") + level.ToString(CultureInfo.InvariantCulture);
                        row.Levels[s] = level == 0 ? 9 : level;
                        row.Texts[2 * s] = Text(scheme, "adminDisplayName");
                        row.Texts[(2 * s) + 1] = Text(scheme, "userDisplayName");
                    }
                }
            }

            table[property.Name] = row;
        }

        return table;
    }

    private static string? Text(JsonElement scheme, string name) =>
        scheme.TryGetProperty(name, out var text) && text.ValueKind == JsonValueKind.String && text.GetString() is { } value && !string.IsNullOrWhiteSpace(value)
            ? value.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ').Trim()
            : null;

    /// <summary>
    /// The global cloud's ids from the provisioning file: per permission, the <c>DelegatedWork</c> entry's id is the
    /// OAuth2 permission scope id, the <c>Application</c> entry's id the app role id. Only entries whose
    /// <c>environment</c> (a <c>;</c>-joined list in any case) includes <c>public</c> count; empty and malformed ids
    /// are skipped; <c>resourceAppId</c> is never read (it is often empty or names another resource). A name is
    /// matched exactly, else case-insensitively (the map spells one name two ways).
    /// </summary>
    private static void ReadIds(JsonElement root, SortedDictionary<string, PermissionRow> permissions)
    {
        var deployments = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var folded = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in root.GetProperty("permissionDeployments").EnumerateObject())
        {
            deployments[property.Name] = property.Value;
            folded.TryAdd(property.Name, property.Value);
        }

        foreach (var row in permissions.Values)
        {
            if (!deployments.TryGetValue(row.Name, out var entries) && !folded.TryGetValue(row.Name, out entries))
            {
                continue;
            }

            foreach (var entry in entries.EnumerateArray())
            {
                var scheme = entry.TryGetProperty("scheme", out var s) ? s.GetString() : null;
                var slot = scheme switch { "DelegatedWork" => 0, "Application" => 1, _ => -1 };
                var environment = entry.TryGetProperty("environment", out var e) ? e.GetString() ?? string.Empty : string.Empty;
                var id = entry.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
                if (slot < 0 || !In(environment, "public") || !Guid.TryParseExact(id, "D", out var guid) || guid == Guid.Empty)
                {
                    continue;
                }

                if (row.Ids[slot] is { } existing && existing != guid)
                {
                    throw new InvalidDataException($"{row.Name} has two {scheme} ids in the global cloud.");
                }

                row.Ids[slot] = guid;
                row.UsGovernment[slot] |= In(environment, "FairFax");
            }
        }

        static bool In(string environment, string name) =>
            environment.Split(';', StringSplitOptions.TrimEntries).Contains(name, StringComparer.OrdinalIgnoreCase);
    }

    private static Dictionary<string, Entry> ReadEntries(JsonElement root, SortedDictionary<string, PermissionRow> permissions, List<(string From, string To)> fixes)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var property in root.GetProperty("permissions").EnumerateObject())
        {
            if (!property.Value.TryGetProperty("pathSets", out var pathSets))
            {
                continue;
            }

            foreach (var pathSet in pathSets.EnumerateArray())
            {
                var schemeKeys = pathSet.GetProperty("schemeKeys").EnumerateArray().Select(k => Array.IndexOf(Schemes, k.GetString())).Where(i => i >= 0).ToList();
                var methods = pathSet.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToList();
                foreach (var path in pathSet.GetProperty("paths").EnumerateObject())
                {
                    var (least, alsoRequires) = Directives(path.Value.GetString() ?? string.Empty);
                    var tokens = GraphPathTemplate.TokenizeTemplate(FixTemplate(path.Name, fixes));
                    foreach (var method in methods)
                    {
                        var entry = GetOrAdd(entries, method, tokens, null);
                        foreach (var s in schemeKeys)
                        {
                            var grant = entry.Grants[s].Find(g => g.Permission == property.Name);
                            if (grant is null)
                            {
                                entry.Grants[s].Add(new Grant(property.Name, least.Contains(Schemes[s]), alsoRequires));
                            }
                            else
                            {
                                grant.Least |= least.Contains(Schemes[s]);
                                // Two statements for one permission: the one without AlsoRequires is enough alone.
                                grant.AlsoRequires = grant.AlsoRequires.Count == 0 || alsoRequires.Count == 0 ? [] : [.. grant.AlsoRequires.Union(alsoRequires)];
                            }
                        }
                    }
                }
            }
        }

        foreach (var entry in entries.Values)
        {
            foreach (var grant in entry.Grants.SelectMany(g => g))
            {
                grant.AlsoRequires = [.. grant.AlsoRequires.Where(permissions.ContainsKey)];
            }
        }

        return entries;
    }

    private static (HashSet<string> Least, List<string> AlsoRequires) Directives(string value)
    {
        var least = new HashSet<string>(StringComparer.Ordinal);
        var also = new List<string>();
        foreach (var part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                continue;
            }

            var name = part[..equals].Trim();
            var list = part[(equals + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (name.Equals("least", StringComparison.OrdinalIgnoreCase))
            {
                least.UnionWith(list);
            }
            else if (name.Equals("AlsoRequires", StringComparison.OrdinalIgnoreCase))
            {
                also.AddRange(list);
            }
        }

        return (least, also);
    }

    private static Entry GetOrAdd(Dictionary<string, Entry> entries, string method, List<string> tokens, string? bodyProperty)
    {
        var key = Key(method, tokens, bodyProperty);
        if (!entries.TryGetValue(key, out var entry))
        {
            entry = new Entry(method, tokens, bodyProperty);
            entries.Add(key, entry);
        }

        return entry;
    }

    /// <summary>Least-privileged first (lowest privilege level, then name); then permissions least for another
    /// scheme; then the rest by level and name; resource-specific consent permissions last.</summary>
    private static void Order(Entry entry, int scheme, SortedDictionary<string, PermissionRow> permissions, bool rscLast)
    {
        var leastElsewhere = new HashSet<string>(entry.Grants.SelectMany(g => g).Where(g => g.Least).Select(g => g.Permission), StringComparer.Ordinal);
        var ordered = entry.Grants[scheme]
            .OrderBy(g => rscLast && permissions[g.Permission].Rsc ? 1 : 0)
            .ThenBy(g => g.Least ? 0 : leastElsewhere.Contains(g.Permission) ? 1 : 2)
            .ThenBy(g => permissions[g.Permission].Levels[scheme])
            .ThenBy(g => g.Permission, StringComparer.Ordinal)
            .ToList();
        entry.Grants[scheme].Clear();
        entry.Grants[scheme].AddRange(ordered);
    }

    private static void ApplyOverrides(JsonElement root, Dictionary<string, Entry> entries, SortedDictionary<string, PermissionRow> permissions, List<string> notes)
    {
        foreach (var item in root.GetProperty("overrides").EnumerateArray())
        {
            var id = item.GetProperty("id").GetString()!;
            Require(item, "reason", id);
            Require(item, "source", id);
            var method = item.GetProperty("method").GetString()!.ToUpperInvariant();
            var body = item.TryGetProperty("bodyProperty", out var b) ? b.GetString() : null;
            List<Entry> targets;
            if (item.TryGetProperty("pathPrefix", out var prefixElement))
            {
                var prefix = GraphPathTemplate.TokenizeTemplate(prefixElement.GetString()!);
                targets = [.. entries.Values.Where(e => (method == "*" || e.Method == method) && e.BodyProperty is null && StartsWith(e.Tokens, prefix))];
                if (targets.Count == 0)
                {
                    throw new InvalidDataException($"Override '{id}': no entry under {prefixElement.GetString()}.");
                }
            }
            else
            {
                var tokens = GraphPathTemplate.TokenizeTemplate(item.GetProperty("path").GetString()!);
                var key = Key(method, tokens, body);
                if (!entries.TryGetValue(key, out var entry))
                {
                    if (!item.TryGetProperty("set", out _))
                    {
                        throw new InvalidDataException($"Override '{id}': {key} is not in the map and the override sets nothing.");
                    }

                    entry = GetOrAdd(entries, method, tokens, body);
                    if (body is not null && entries.TryGetValue(Key(method, tokens, null), out var general))
                    {
                        for (var s = 0; s < 3; s++)
                        {
                            entry.Grants[s].AddRange(general.Grants[s].Select(g => new Grant(g.Permission, g.Least, g.AlsoRequires)));
                        }
                    }
                }

                targets = [entry];
            }

            int? note = null;
            if (item.TryGetProperty("note", out var noteElement))
            {
                // Overrides that share a note (one per path prefix of the same rule) share its line.
                var text = noteElement.GetString()!;
                note = notes.IndexOf(text);
                if (note < 0)
                {
                    notes.Add(text);
                    note = notes.Count - 1;
                }
            }

            foreach (var entry in targets)
            {
                Apply(item, "set", entry, permissions, id, replace: true);
                Apply(item, "add", entry, permissions, id, replace: false);
                if (item.TryGetProperty("remove", out var remove))
                {
                    foreach (var scheme in remove.EnumerateObject())
                    {
                        var s = SchemeIndex(scheme.Name, id);
                        foreach (var name in scheme.Value.EnumerateArray().Select(n => n.GetString()!))
                        {
                            if (entry.Grants[s].RemoveAll(g => g.Permission == name) == 0)
                            {
                                throw new InvalidDataException($"Override '{id}': {name} is not listed for {scheme.Name} on {entry.Method} {GraphPathTemplate.Display(entry.Tokens)}.");
                            }
                        }
                    }
                }

                entry.PasswordReset |= item.TryGetProperty("passwordReset", out var reset) && reset.ValueKind == JsonValueKind.True;
                entry.ProtectedApi |= item.TryGetProperty("protectedApi", out var protectedApi) && protectedApi.ValueKind == JsonValueKind.True;
                entry.Note = note ?? entry.Note;
            }
        }
    }

    private static void Apply(JsonElement item, string name, Entry entry, SortedDictionary<string, PermissionRow> permissions, string id, bool replace)
    {
        if (!item.TryGetProperty(name, out var lists))
        {
            return;
        }

        foreach (var scheme in lists.EnumerateObject())
        {
            var s = SchemeIndex(scheme.Name, id);
            if (replace)
            {
                entry.Grants[s].Clear();
            }

            foreach (var text in scheme.Value.EnumerateArray().Select(n => n.GetString()!))
            {
                var least = text.EndsWith('!');
                var permission = least ? text[..^1] : text;
                if (!permissions.ContainsKey(permission))
                {
                    throw new InvalidDataException($"Override '{id}': {permission} is not a permission of the map.");
                }

                entry.Grants[s].RemoveAll(g => g.Permission == permission);
                entry.Grants[s].Add(new Grant(permission, least, []));
            }
        }
    }

    private static int SchemeIndex(string name, string id)
    {
        var index = Array.IndexOf(Schemes, name);
        return index >= 0 ? index : throw new InvalidDataException($"Override '{id}': unknown scheme '{name}'.");
    }

    private static bool StartsWith(List<string> tokens, List<string> prefix) =>
        tokens.Count >= prefix.Count && prefix.Select((t, i) => string.Equals(t, tokens[i], StringComparison.OrdinalIgnoreCase)).All(x => x);

    private static void Require(JsonElement element, string name, string id)
    {
        if (!element.TryGetProperty(name, out var value) || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new InvalidDataException($"'{id}' in the overrides file has no {name}.");
        }
    }

    private static byte[] Write(SortedDictionary<string, PermissionRow> permissions, List<string> notes, IEnumerable<Entry> entries)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in permissions.Values)
        {
            index[row.Name] = index.Count;
        }

        var root = new Node(string.Empty);
        var operations = 0;
        foreach (var entry in entries)
        {
            var node = root;
            foreach (var token in entry.Tokens)
            {
                var key = token.ToLowerInvariant();
                if (!node.Children.TryGetValue(key, out var child))
                {
                    child = new Node(token);
                    node.Children.Add(key, child);
                }

                node = child;
            }

            node.Entries.Add(entry);
            operations++;
        }

        return new CatalogWriter().Write([.. permissions.Values], notes, root, operations, index);
    }

    /// <summary>The text form of a node's entries: <c>METHOD[/bodyProperty]=flags;W:grants;P:grants;A:grants;n:note</c>
    /// joined by <c>|</c> (see <see cref="GraphPermissionCatalogFormat"/>), or null when the node has none.</summary>
    internal static string? Spec(Node node, Dictionary<string, int> index)
    {
        if (node.Entries.Count == 0)
        {
            return null;
        }

        var text = new StringBuilder(64);
        var first = true;
        foreach (var entry in node.Entries.OrderBy(e => e.Method, StringComparer.Ordinal).ThenBy(e => e.BodyProperty ?? string.Empty, StringComparer.Ordinal))
        {
            text.Append(first ? string.Empty : "|").Append(entry.Method);
            first = false;
            if (entry.BodyProperty is not null)
            {
                text.Append('/').Append(entry.BodyProperty);
            }

            text.Append('=').Append(entry.PasswordReset ? "r" : string.Empty).Append(entry.ProtectedApi ? "x" : string.Empty);
            for (var s = 0; s < 3; s++)
            {
                if (entry.Grants[s].Count == 0)
                {
                    continue;
                }

                text.Append(';').Append("WPA"[s]).Append(':');
                for (var g = 0; g < entry.Grants[s].Count; g++)
                {
                    var grant = entry.Grants[s][g];
                    text.Append(g == 0 ? string.Empty : ",").Append(index[grant.Permission].ToString(CultureInfo.InvariantCulture));
                    if (grant.Least)
                    {
                        text.Append('!');
                    }

                    if (grant.AlsoRequires.Count > 0)
                    {
                        text.Append('+').AppendJoin('.', grant.AlsoRequires.Select(a => index[a].ToString(CultureInfo.InvariantCulture)));
                    }
                }
            }

            if (entry.Note is { } note)
            {
                text.Append(";n:").Append(note.ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    internal sealed class PermissionRow(string name)
    {
        public string Name { get; } = name;

        public bool Rsc { get; init; }

        public string?[] Schemes { get; } = new string?[3];

        public int[] Levels { get; } = [9, 9, 9];

        /// <summary>Admin and user display texts per scheme (DelegatedWork, DelegatedPersonal, Application).</summary>
        public string?[] Texts { get; } = new string?[6];

        /// <summary>The global cloud's scope id and app role id.</summary>
        public Guid?[] Ids { get; } = new Guid?[2];

        /// <summary>Whether the id's entry names the US Government cloud (<c>FairFax</c>) too.</summary>
        public bool[] UsGovernment { get; } = new bool[2];
    }

    internal sealed class Grant(string permission, bool least, List<string> alsoRequires)
    {
        public string Permission { get; } = permission;

        public bool Least { get; set; } = least;

        public List<string> AlsoRequires { get; set; } = alsoRequires;
    }

    internal sealed class Entry(string method, List<string> tokens, string? bodyProperty)
    {
        public string Method { get; } = method;

        public List<string> Tokens { get; } = tokens;

        public string? BodyProperty { get; } = bodyProperty;

        public List<Grant>[] Grants { get; } = [[], [], []];

        public bool PasswordReset { get; set; }

        public bool ProtectedApi { get; set; }

        public int? Note { get; set; }
    }

    internal sealed class Node(string token)
    {
        public string Token { get; } = token;

        public Dictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);

        public List<Entry> Entries { get; } = [];
    }
}
