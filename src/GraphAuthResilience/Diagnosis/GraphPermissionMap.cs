using System.Runtime.CompilerServices;

namespace GraphAuthResilience.Diagnosis;

/// <summary>The <see cref="IGraphPermissionMap"/> over the embedded <see cref="GraphPermissionCatalog"/>, with the
/// permission lattice derived from it (built on first need, once per catalog).</summary>
internal sealed class GraphPermissionMap : IGraphPermissionMap
{
    private static readonly ConditionalWeakTable<GraphPermissionCatalog, GraphPermissionMap> Maps = new();

    private readonly GraphPermissionCatalog _catalog;
    private readonly Lazy<GraphPermissionLattice> _lattice;
    private readonly Lazy<(Dictionary<string, List<string>> ByText, string[] Texts)> _texts;

    private GraphPermissionMap(GraphPermissionCatalog catalog)
    {
        _catalog = catalog;
        _lattice = new Lazy<GraphPermissionLattice>(() => GraphPermissionLattice.Derive(this));
        _texts = new Lazy<(Dictionary<string, List<string>>, string[])>(IndexTexts);
    }

    /// <summary>Gets the lattice derived from this map.</summary>
    public GraphPermissionLattice Lattice => _lattice.Value;

    public IEnumerable<GraphOperationPermissions> Operations => _catalog.Operations;

    public IReadOnlyList<string> DisplayTexts => _texts.Value.Texts;

    /// <summary>The map over a catalog (one per catalog).</summary>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The map.</returns>
    public static GraphPermissionMap For(GraphPermissionCatalog catalog) => Maps.GetValue(catalog, c => new GraphPermissionMap(c));

    public GraphPermissionInfo? Permission(string name) => _catalog.Permission(name);

    public GraphOperationPermissions? Find(HttpMethod method, Uri? uri, IReadOnlySet<string>? bodyProperties) =>
        _catalog.Find(method, uri, bodyProperties);

    public IReadOnlyList<string> ByDisplayText(string text) =>
        _texts.Value.ByText.TryGetValue(text, out var names) ? names : [];

    /// <summary>Every permission's admin and user display texts (each scheme), longest first. Texts shorter than four
    /// words ("Read mail") would match ordinary sentences, so only longer ones are kept.</summary>
    private (Dictionary<string, List<string>>, string[]) IndexTexts()
    {
        var byText = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var permission in _catalog.Permissions)
        {
            foreach (var scheme in new[] { GraphPermissionScheme.DelegatedWork, GraphPermissionScheme.DelegatedPersonal, GraphPermissionScheme.Application })
            {
                foreach (var text in new[] { permission.AdminDisplayName(scheme), permission.UserDisplayName(scheme) })
                {
                    if (text is null || text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 4)
                    {
                        continue;
                    }

                    if (!byText.TryGetValue(text, out var names))
                    {
                        byText[text] = names = [];
                    }

                    if (!names.Contains(permission.Name, StringComparer.OrdinalIgnoreCase))
                    {
                        names.Add(permission.Name);
                    }
                }
            }
        }

        return (byText, [.. byText.Keys.OrderByDescending(t => t.Length)]);
    }
}
