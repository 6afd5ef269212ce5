namespace GraphAuthResilience.Diagnosis;

/// <summary>Reads the permission map for the request's method and path against the token: whether the operation
/// takes the token's kind, a held permission it accepts (through the lattice), and the least-privileged one to add.</summary>
internal static class GraphPermissionMapReader
{
    /// <summary>Reads the map.</summary>
    /// <param name="operation">The operation the request calls, or <see langword="null"/>.</param>
    /// <param name="token">What the token says.</param>
    /// <param name="map">The map (for the lattice and the personal-account forms).</param>
    /// <returns>The finding.</returns>
    public static GraphPermissionMapFinding Read(GraphOperationPermissions? operation, GraphTokenFinding token, GraphPermissionMap map)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(map);
        var heldWithoutPersonal = token.Info is { IsPersonalAccount: true } personal
            ? personal.Scopes.Where(s => map.Permission(s) is { } p && !p.Exists(GraphPermissionScheme.DelegatedPersonal)).ToList()
            : [];
        if (operation is null || operation is { SupportsDelegated: false, SupportsApplication: false })
        {
            return new GraphPermissionMapFinding { HeldWithoutPersonalForm = heldWithoutPersonal };
        }

        if (token.Info is not { } info || token.Scheme is not { } scheme)
        {
            return new GraphPermissionMapFinding { Operation = operation, ToAdd = operation.LeastFor(GraphPermissionScheme.DelegatedWork) ?? operation.LeastFor(GraphPermissionScheme.Application) };
        }

        var accepted = operation.AcceptedPermissionHeld(info) ?? CoveredHeld(operation, scheme, token.Held, map.Lattice);
        var toAdd = operation.Grants(scheme).FirstOrDefault(g => map.Lattice.HeldCovering(scheme, token.Held, g.Name) is null);
        return new GraphPermissionMapFinding
        {
            Operation = operation,
            AcceptedHeld = accepted,
            SupportsTokenKind = operation.SupportsTokenKind(info) && (scheme != GraphPermissionScheme.DelegatedPersonal || operation.PersonalAccounts),
            HeldWithoutPersonalForm = heldWithoutPersonal,
            ToAdd = accepted is null ? toAdd : null,
        };
    }

    private static string? CoveredHeld(GraphOperationPermissions operation, GraphPermissionScheme scheme, IReadOnlyList<string> held, GraphPermissionLattice lattice)
    {
        foreach (var grant in operation.Grants(scheme))
        {
            if (grant.AlsoRequires.Count == 0 && lattice.HeldCovering(scheme, held, grant.Name) is { } covering)
            {
                return covering;
            }
        }

        return null;
    }
}
