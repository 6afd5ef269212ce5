namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// What diagnosis reads of Microsoft's permission map: operations, permissions and the display texts users see on
/// consent screens and in Graph's messages. One seam over the catalog, so its storage can change without the readers.
/// </summary>
internal interface IGraphPermissionMap
{
    /// <summary>Gets every operation of the map (for the permission lattice; enumerated once).</summary>
    IEnumerable<GraphOperationPermissions> Operations { get; }

    /// <summary>Finds a permission by name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <returns>The permission, or <see langword="null"/>.</returns>
    GraphPermissionInfo? Permission(string name);

    /// <summary>Finds the operation a request calls.</summary>
    /// <param name="method">The method.</param>
    /// <param name="uri">The request URI.</param>
    /// <param name="bodyProperties">The request body's top-level properties, when read.</param>
    /// <returns>The operation, or <see langword="null"/>.</returns>
    GraphOperationPermissions? Find(HttpMethod method, Uri? uri, IReadOnlySet<string>? bodyProperties);

    /// <summary>Gets the permissions whose display text (<c>adminDisplayName</c>, <c>userDisplayName</c>) is
    /// <paramref name="text"/>, compared case-insensitively; empty when the map carries no display texts.</summary>
    /// <param name="text">A quoted text.</param>
    /// <returns>The permission names.</returns>
    IReadOnlyList<string> ByDisplayText(string text);

    /// <summary>Gets every display text the map knows, longest first (to find them inside a message).</summary>
    IReadOnlyList<string> DisplayTexts { get; }
}
