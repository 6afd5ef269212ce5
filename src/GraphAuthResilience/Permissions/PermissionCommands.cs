using System.Text;
using GraphAuthResilience.Grants;

namespace GraphAuthResilience.Permissions;

/// <summary>
/// The steps a report gives: for a missing permission the grants that <see cref="GraphPermissionGrants"/> builds
/// (consent link, Azure CLI, PowerShell); for an unused one its removal. Both for the tenant, client and cloud the
/// recorded tokens of that kind said, with <c>{tenantId}</c>/<c>{appId}</c> where they did not (or disagreed).
/// </summary>
internal static class PermissionCommands
{
    public static IReadOnlyList<GraphPermissionGrant> Grants(PermissionKindAnalysis kind) =>
        GraphPermissionGrants.For(kind.Missing, kind.PermissionKind, kind.Token);

    public static IReadOnlyList<PermissionRemoval> Removals(PermissionKindAnalysis kind)
    {
        // The grants of the unused permissions carry their ids; only the id is used here.
        var ids = GraphPermissionGrants.For(kind.Unused, kind.PermissionKind, kind.Token)
            .ToDictionary(g => g.Permission, g => g.Id, StringComparer.OrdinalIgnoreCase);
        var target = GraphGrantTarget.Of(kind.Token);
        var removals = new List<PermissionRemoval>(kind.Unused.Count);
        foreach (var permission in kind.Unused)
        {
            var id = ids.GetValueOrDefault(permission);
            removals.Add(new PermissionRemoval(
                permission,
                kind.PermissionKind,
                id,
                target.IsManagedIdentity ? null : AzureCli(permission, kind.PermissionKind, id, target),
                PowerShell(permission, kind.PermissionKind, id, target)));
        }

        return removals;
    }

    private static string AzureCli(string permission, GraphPermissionKind kind, Guid id, GraphGrantTarget target)
    {
        var lookup = id != Guid.Empty
            ? id.ToString("D")
            : $"$(az ad sp show --id {GraphPermissionGrants.GraphAppId} --query \"{(kind == GraphPermissionKind.Application ? "appRoles" : "oauth2PermissionScopes")}[?value=='{permission}'].id | [0]\" -o tsv)";
        return $"az login --tenant {target.Tenant}\naz ad app permission delete --id {target.App} --api {GraphPermissionGrants.GraphAppId} --api-permissions {lookup}";
    }

    private static string PowerShell(string permission, GraphPermissionKind kind, Guid id, GraphGrantTarget target)
    {
        var text = new StringBuilder(640);
        text.Append("Connect-MgGraph -TenantId ").Append(target.Tenant).Append(" -Scopes 'Application.Read.All','")
            .Append(kind == GraphPermissionKind.Application ? "AppRoleAssignment.ReadWrite.All" : "DelegatedPermissionGrant.ReadWrite.All").Append("'\n");
        text.Append("$graph = Get-MgServicePrincipal -Filter \"appId eq '").Append(GraphPermissionGrants.GraphAppId).Append("'\"\n");
        text.Append("$client = Get-MgServicePrincipal -Filter \"appId eq '").Append(target.App).Append("'\"\n");
        if (kind == GraphPermissionKind.Application)
        {
            text.Append(id == Guid.Empty
                ? $"$roleId = ($graph.AppRoles | Where-Object {{ $_.Value -eq '{permission}' }}).Id\n"
                : $"$roleId = '{id:D}'\n");
            text.Append("Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $client.Id | Where-Object { $_.ResourceId -eq $graph.Id -and $_.AppRoleId -eq $roleId } | ForEach-Object { Remove-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $client.Id -AppRoleAssignmentId $_.Id }");
        }
        else
        {
            text.Append("Get-MgOauth2PermissionGrant -Filter \"clientId eq '$($client.Id)'\" | Where-Object ResourceId -eq $graph.Id | ForEach-Object { Update-MgOauth2PermissionGrant -OAuth2PermissionGrantId $_.Id -Scope ((-split $_.Scope | Where-Object { $_ -ne '")
                .Append(permission).Append("' }) -join ' ') }");
        }

        return text.ToString();
    }
}
