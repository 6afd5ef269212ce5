namespace GraphAuthResilience.Diagnosis;

/// <summary>A permission that allows an operation for one scheme.</summary>
/// <param name="Permission">The permission.</param>
/// <param name="Least">Whether the map marks it least-privileged for this operation and scheme.</param>
/// <param name="AlsoRequires">When not empty, one of these is needed as well.</param>
internal sealed record GraphPermissionAllowance(GraphPermissionInfo Permission, bool Least, IReadOnlyList<string> AlsoRequires)
{
    public string Name => Permission.Name;
}
