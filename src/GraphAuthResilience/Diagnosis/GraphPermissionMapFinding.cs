namespace GraphAuthResilience.Diagnosis;

/// <summary>What the permission map says about this operation and this token.</summary>
internal sealed class GraphPermissionMapFinding
{
    /// <summary>Gets a finding for an operation the map does not know.</summary>
    public static GraphPermissionMapFinding Unknown { get; } = new();

    /// <summary>Gets the operation, when the map knows it and records a permission for it.</summary>
    public GraphOperationPermissions? Operation { get; init; }

    /// <summary>Gets a permission the token holds that the operation accepts for the token's kind, directly or through
    /// a held permission that covers it in the lattice.</summary>
    public string? AcceptedHeld { get; init; }

    /// <summary>Gets a value indicating whether the operation accepts the token's kind at all (true without a token).</summary>
    public bool SupportsTokenKind { get; init; } = true;

    /// <summary>Gets the held scopes of a personal account that have no personal-account form in the map.</summary>
    public IReadOnlyList<string> HeldWithoutPersonalForm { get; init; } = [];

    /// <summary>Gets the least-privileged permission to ask for, for the token's kind, unless the token holds or covers it.</summary>
    public GraphPermissionAllowance? ToAdd { get; init; }
}
