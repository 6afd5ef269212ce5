using GraphAuthResilience.Grants;

namespace GraphAuthResilience.Permissions;

/// <summary>How to take an unused permission away: its id (from the catalog, through <see cref="GraphPermissionGrants"/>),
/// the Azure CLI command that removes it from the app registration (none for a managed identity, which has no
/// registration) and the Microsoft Graph PowerShell commands that revoke what was granted.</summary>
internal sealed record PermissionRemoval(string Permission, GraphPermissionKind Kind, Guid Id, string? AzureCliCommand, string PowerShellCommand);
