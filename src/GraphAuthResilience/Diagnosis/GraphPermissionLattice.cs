namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Which permission covers which, derived from Microsoft's map, for one kind of token (scheme). W covers N when W is
/// N's wider form by name (Read made ReadWrite, the same name with .All, or both) and the map accepts both for this
/// scheme on a shared operation: the map does not list the wider permission on every operation the narrower one has
/// (GET /me/mailFolders/{id}/messages/{id} lists Mail.Read, not Mail.ReadWrite), so the name says the direction. W
/// also covers N, whatever the names, when the map accepts W on every operation where it accepts N, unless N is W's
/// wider form by name. A permission the map accepts nowhere is covered by none but itself. Diagnosis uses it never to
/// ask for a permission the token already holds or covers.
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
        if (!map.TryGetValue(narrower, out var narrow) || !map.TryGetValue(wider, out var wide))
        {
            return false;
        }

        if (IsWiderByName(wider, narrower))
        {
            return narrow.Overlaps(wide);
        }

        return !IsWiderByName(narrower, wider) && narrow.Count <= wide.Count && narrow.IsSubsetOf(wide);
    }

    /// <summary>Whether <paramref name="wider"/> is <paramref name="narrower"/> with Read made ReadWrite, .All added, or both.</summary>
    /// <param name="wider">The wider name.</param>
    /// <param name="narrower">The narrower name.</param>
    /// <returns>Whether it is.</returns>
    internal static bool IsWiderByName(string wider, string narrower)
    {
        var readWrite = ReadToReadWrite(narrower);
        return Same(wider, narrower + ".All")
            || (readWrite is not null && (Same(wider, readWrite) || Same(wider, readWrite + ".All")));

        static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
    }

    private static string? ReadToReadWrite(string name)
    {
        var at = name.IndexOf(".Read", StringComparison.OrdinalIgnoreCase);
        var end = at + ".Read".Length;
        return at < 0 || (end < name.Length && name[end] != '.') ? null : name[..at] + ".ReadWrite" + name[end..];
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
