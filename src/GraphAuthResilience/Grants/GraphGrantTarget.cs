namespace GraphAuthResilience.Grants;

/// <summary>
/// Whom a grant is for, as far as the failing token says: its tenant id and client id (only when they are GUIDs,
/// so nothing else of a token reaches a command line), its cloud, and whether a managed identity or a personal
/// Microsoft account holds it.
/// </summary>
internal readonly record struct GraphGrantTarget(string? TenantId, string? AppId, string? Cloud, bool IsManagedIdentity, bool IsPersonalAccount)
{
    /// <summary>Gets the tenant id, or the <c>{tenantId}</c> placeholder.</summary>
    public string Tenant => TenantId ?? GraphPermissionGrants.TenantPlaceholder;

    /// <summary>Gets the client id, or the <c>{appId}</c> placeholder.</summary>
    public string App => AppId ?? GraphPermissionGrants.AppPlaceholder;

    public static GraphGrantTarget Of(GraphTokenInfo? token) => token is null
        ? default
        : new GraphGrantTarget(
            token.IsPersonalAccount ? null : AsGuid(token.TenantId), // The consumer tenant holds no app registration.
            AsGuid(token.AppId),
            token.Cloud,
            token.IsManagedIdentity,
            token.IsPersonalAccount);

    private static string? AsGuid(string? value) =>
        value is { Length: 36 } && Guid.TryParseExact(value, "D", out var guid) && guid != Guid.Empty ? guid.ToString("D") : null;
}
