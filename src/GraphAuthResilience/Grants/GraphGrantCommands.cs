using System.Text;

namespace GraphAuthResilience.Grants;

/// <summary>
/// The Azure CLI (bash) and Microsoft Graph PowerShell commands of a grant. The object ids they need differ per
/// tenant (Microsoft Graph's service principal, the app's service principal), so the commands look them up by
/// application id first. In a national cloud they select it first (<c>az cloud set</c>,
/// <c>Connect-MgGraph -Environment</c>).
/// </summary>
internal static class GraphGrantCommands
{
    /// <summary>Adds the permission to the app registration by id (<c>=Scope</c> or <c>=Role</c>), then grants admin
    /// consent to what the registration lists.</summary>
    public static string AzureCliAppRegistration(string permission, GraphPermissionKind kind, Guid id, GraphGrantTarget target)
    {
        var text = AzureCliLogin(target);
        var type = kind == GraphPermissionKind.Application ? "Role" : "Scope";
        text.Append("az ad app permission add --id ").Append(target.App)
            .Append(" --api ").Append(GraphPermissionGrants.GraphAppId)
            .Append(" --api-permissions ").Append(AzureCliId(permission, kind, id)).Append('=').Append(type).Append('\n');
        text.Append("az ad app permission admin-consent --id ").Append(target.App);
        return text.ToString();
    }

    /// <summary>Assigns the app role to the service principal of a managed identity through Graph (<c>az rest</c>):
    /// a managed identity has no app registration to add a permission to.</summary>
    public static string AzureCliAppRoleAssignment(string permission, Guid id, GraphGrantTarget target)
    {
        var text = AzureCliLogin(target);
        text.Append("principal=$(az ad sp show --id ").Append(target.App).Append(" --query id -o tsv)\n");
        text.Append("graph=$(az ad sp show --id ").Append(GraphPermissionGrants.GraphAppId).Append(" --query id -o tsv)\n");
        text.Append("az rest --method post --uri \"https://").Append(Graph.GraphClouds.GraphHost(target.Cloud))
            .Append("/v1.0/servicePrincipals/$principal/appRoleAssignments\" --headers \"Content-Type=application/json\" --body \"{\\\"principalId\\\":\\\"$principal\\\",\\\"resourceId\\\":\\\"$graph\\\",\\\"appRoleId\\\":\\\"")
            .Append(AzureCliId(permission, GraphPermissionKind.Application, id)).Append("\\\"}\"");
        return text.ToString();
    }

    /// <summary>Assigns the app role to the app's (or managed identity's) service principal: the direct form of
    /// admin consent to an application permission, and the only one for a managed identity.</summary>
    public static string PowerShellAppRoleAssignment(string permission, Guid id, GraphGrantTarget target)
    {
        var text = PowerShellConnect(target, "AppRoleAssignment.ReadWrite.All");
        text.Append(id == Guid.Empty
            ? $"$roleId = ($graph.AppRoles | Where-Object {{ $_.Value -eq '{permission}' -and $_.AllowedMemberTypes -contains 'Application' }}).Id\n"
            : $"$roleId = '{id:D}'\n");
        text.Append("New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $client.Id -PrincipalId $client.Id -ResourceId $graph.Id -AppRoleId $roleId");
        return text.ToString();
    }

    /// <summary>Adds the scope to the tenant-wide (all users) delegated permission grant of the app on Graph,
    /// creating the grant when there is none.</summary>
    public static string PowerShellDelegatedGrant(string permission, GraphGrantTarget target)
    {
        var text = PowerShellConnect(target, "DelegatedPermissionGrant.ReadWrite.All");
        text.Append("$grant = Get-MgOauth2PermissionGrant -Filter \"clientId eq '$($client.Id)' and consentType eq 'AllPrincipals'\" | Where-Object ResourceId -eq $graph.Id\n");
        text.Append("if ($grant) { Update-MgOauth2PermissionGrant -OAuth2PermissionGrantId $grant.Id -Scope \"$($grant.Scope) ").Append(permission).Append("\" }\n");
        text.Append("else { New-MgOauth2PermissionGrant -ClientId $client.Id -ConsentType AllPrincipals -ResourceId $graph.Id -Scope '").Append(permission).Append("' }");
        return text.ToString();
    }

    private static StringBuilder AzureCliLogin(GraphGrantTarget target)
    {
        var text = new StringBuilder(512);
        if (AzureCloud(target.Cloud) is { } cloud)
        {
            text.Append("az cloud set --name ").Append(cloud).Append('\n');
        }

        return text.Append("az login --tenant ").Append(target.Tenant).Append('\n');
    }

    /// <summary>The id, or a look-up of it by name on Graph's service principal where the reference does not give it.</summary>
    private static string AzureCliId(string permission, GraphPermissionKind kind, Guid id) => id != Guid.Empty
        ? id.ToString("D")
        : $"$(az ad sp show --id {GraphPermissionGrants.GraphAppId} --query \"{(kind == GraphPermissionKind.Application ? "appRoles" : "oauth2PermissionScopes")}[?value=='{permission}'].id | [0]\" -o tsv)";

    private static StringBuilder PowerShellConnect(GraphGrantTarget target, string writeScope)
    {
        var text = new StringBuilder(640);
        text.Append("Connect-MgGraph -TenantId ").Append(target.Tenant);
        if (PowerShellEnvironment(target.Cloud) is { } environment)
        {
            text.Append(" -Environment ").Append(environment);
        }

        text.Append(" -Scopes 'Application.Read.All','").Append(writeScope).Append("'\n");
        text.Append("$graph = Get-MgServicePrincipal -Filter \"appId eq '").Append(GraphPermissionGrants.GraphAppId).Append("'\"\n");
        text.Append("$client = Get-MgServicePrincipal -Filter \"appId eq '").Append(target.App).Append("'\"\n");
        return text;
    }

    private static string? AzureCloud(string? cloud) => cloud switch
    {
        "usgov" or "dod" => "AzureUSGovernment",
        "china" => "AzureChinaCloud",
        _ => null,
    };

    private static string? PowerShellEnvironment(string? cloud) => cloud switch
    {
        "usgov" => "USGov",
        "dod" => "USGovDoD",
        "china" => "China",
        _ => null,
    };
}
