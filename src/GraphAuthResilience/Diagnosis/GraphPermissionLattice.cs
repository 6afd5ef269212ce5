namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Which permission covers which, derived from Microsoft's map: for one kind of token (scheme), a permission W
/// covers a permission N when the map accepts W on every operation where it accepts N (so Mail.ReadWrite covers
/// Mail.Read, User.Read.All covers User.Read). A permission the map accepts nowhere is covered by none but itself.
/// Diagnosis uses it never to ask for a permission the token already holds or covers.
/// </summary>
internal sealed class GraphPermissionLattice
{
    private readonly Dictionary<string, HashSet<int>>[] _accepted;

    private GraphPermissionLattice(Dictionary<string, HashSet<int>>[] accepted) => _accepted = accepted;

    /// <summary>Derives the lattice from every operation of the map.</summary>
    /// <param name="map">The map.</param>
    /// <returns>The lattice.</returns>
    public static GraphPermissionLattice Derive(IGraphPermissionMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var accepted = new Dictionary<string, HashSet<int>>[3];
        for (var s = 0; s < accepted.Length; s++)
        {
            accepted[s] = new Dictionary<string, HashSet<int>>(StringComparer.OrdinalIgnoreCase);
        }

        var index = 0;
        foreach (var operation in map.Operations)
        {
            foreach (var scheme in Schemes)
            {
                foreach (var grant in operation.Grants(scheme))
                {
                    if (!accepted[(int)scheme].TryGetValue(grant.Name, out var set))
                    {
                        accepted[(int)scheme][grant.Name] = set = [];
                    }

                    set.Add(index);
                }
            }

            index++;
        }

        return new GraphPermissionLattice(accepted);
    }

    private static GraphPermissionScheme[] Schemes { get; } =
        [GraphPermissionScheme.DelegatedWork, GraphPermissionScheme.DelegatedPersonal, GraphPermissionScheme.Application];

    /// <summary>Whether <paramref name="wider"/> covers <paramref name="narrower"/> for <paramref name="scheme"/>:
    /// the same permission, or one the map accepts wherever it accepts the narrower one.</summary>
    /// <param name="scheme">The kind of token.</param>
    /// <param name="wider">The permission that may cover.</param>
    /// <param name="narrower">The permission that may be covered.</param>
    /// <returns>Whether it covers.</returns>
    public bool Covers(GraphPermissionScheme scheme, string wider, string narrower)
    {
        ArgumentNullException.ThrowIfNull(wider);
        ArgumentNullException.ThrowIfNull(narrower);
        if (string.Equals(wider, narrower, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var map = _accepted[(int)scheme];
        return map.TryGetValue(narrower, out var narrow) && map.TryGetValue(wider, out var wide)
            && narrow.Count <= wide.Count && narrow.IsSubsetOf(wide);
    }

    /// <summary>The first held permission that covers <paramref name="permission"/>, or <see langword="null"/>.</summary>
    /// <param name="scheme">The kind of token.</param>
    /// <param name="held">What the token holds.</param>
    /// <param name="permission">The permission asked for.</param>
    /// <returns>The covering held permission.</returns>
    public string? HeldCovering(GraphPermissionScheme scheme, IReadOnlyList<string> held, string permission)
    {
        ArgumentNullException.ThrowIfNull(held);
        foreach (var h in held)
        {
            if (Covers(scheme, h, permission))
            {
                return h;
            }
        }

        return null;
    }

    /// <summary>The number of operations on which the map accepts a permission for a scheme.</summary>
    /// <param name="scheme">The kind of token.</param>
    /// <param name="permission">The permission.</param>
    /// <returns>The count.</returns>
    public int AcceptedOn(GraphPermissionScheme scheme, string permission) =>
        _accepted[(int)scheme].TryGetValue(permission, out var set) ? set.Count : 0;
}
