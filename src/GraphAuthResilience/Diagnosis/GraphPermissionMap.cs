using System.Runtime.CompilerServices;

namespace GraphAuthResilience.Diagnosis;

/// <summary>The <see cref="IGraphPermissionMap"/> over the embedded <see cref="GraphPermissionCatalog"/>, with the
/// permission lattice derived from it (built on first need, once per catalog).</summary>
internal sealed class GraphPermissionMap : IGraphPermissionMap
{
    private static readonly ConditionalWeakTable<GraphPermissionCatalog, GraphPermissionMap> Maps = new();

    private readonly GraphPermissionCatalog _catalog;
    private readonly Lazy<GraphPermissionLattice> _lattice;

    private GraphPermissionMap(GraphPermissionCatalog catalog)
    {
        _catalog = catalog;
        _lattice = new Lazy<GraphPermissionLattice>(() => GraphPermissionLattice.Derive(this));
    }

    /// <summary>Gets the lattice derived from this map.</summary>
    public GraphPermissionLattice Lattice => _lattice.Value;

    public IEnumerable<GraphOperationPermissions> Operations => _catalog.Operations;

    public IReadOnlyList<string> DisplayTexts => [];

    /// <summary>The map over a catalog (one per catalog).</summary>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The map.</returns>
    public static GraphPermissionMap For(GraphPermissionCatalog catalog) => Maps.GetValue(catalog, c => new GraphPermissionMap(c));

    public GraphPermissionInfo? Permission(string name) => _catalog.Permission(name);

    public GraphOperationPermissions? Find(HttpMethod method, Uri? uri, IReadOnlySet<string>? bodyProperties) =>
        _catalog.Find(method, uri, bodyProperties);

    public IReadOnlyList<string> ByDisplayText(string text) => [];
}
