namespace GraphAuthResilience;

/// <summary>
/// How to grant one Microsoft Graph permission that would fix a failure: its id, whether an administrator must consent,
/// and ready-to-run fixes (admin consent link, Azure CLI and Microsoft Graph PowerShell commands).
/// </summary>
/// <remarks>
/// Built from the token's tenant, client id and cloud only (ids that are not secrets); where the token does not say
/// them, the commands carry the placeholders <c>{tenantId}</c> and <c>{appId}</c>, never a guess.
/// </remarks>
public sealed class GraphPermissionGrant
{
    internal GraphPermissionGrant(
        string permission,
        GraphPermissionKind kind,
        Guid id,
        bool requiresAdminConsent,
        Uri? adminConsentUri,
        string azureCliCommand,
        string powerShellCommand)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(permission);
        ArgumentNullException.ThrowIfNull(azureCliCommand);
        ArgumentNullException.ThrowIfNull(powerShellCommand);
        Permission = permission;
        Kind = kind;
        Id = id;
        RequiresAdminConsent = requiresAdminConsent;
        AdminConsentUri = adminConsentUri;
        AzureCliCommand = azureCliCommand;
        PowerShellCommand = powerShellCommand;
    }

    /// <summary>Gets the permission's name, for example <c>User.Read.All</c>.</summary>
    public string Permission { get; }

    /// <summary>Gets whether this is a delegated scope or an application role.</summary>
    public GraphPermissionKind Kind { get; }

    /// <summary>Gets the scope id (delegated) or app role id (application) of the permission on Microsoft Graph.</summary>
    public Guid Id { get; }

    /// <summary>Gets a value indicating whether an administrator must consent to this permission.</summary>
    public bool RequiresAdminConsent { get; }

    /// <summary>Gets the admin consent link on the token's cloud, or <see langword="null"/> where consent is not the
    /// route (a managed identity is granted through an app role assignment only).</summary>
    public Uri? AdminConsentUri { get; }

    /// <summary>Gets the Azure CLI commands that add the permission to the app registration and grant admin consent.</summary>
    public string AzureCliCommand { get; }

    /// <summary>Gets the Microsoft Graph PowerShell commands that grant the permission (an app role assignment for
    /// application permissions, the only route for a managed identity; a delegated permission grant for scopes).</summary>
    public string PowerShellCommand { get; }

    /// <summary>Returns the permission, its kind and id.</summary>
    /// <returns>For example <c>User.Read.All (Application, df021288-bdef-4463-88db-98f22de89214, admin consent)</c>.</returns>
    public override string ToString() =>
        $"{Permission} ({Kind}, {Id}{(RequiresAdminConsent ? ", admin consent" : string.Empty)})";
}
