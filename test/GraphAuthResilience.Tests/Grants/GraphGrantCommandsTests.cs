using GraphAuthResilience.Grants;

namespace GraphAuthResilience.Tests.Grants;

/// <summary>The Azure CLI and Graph PowerShell commands of a grant: the app and tenant of the failing token (or
/// placeholders), the permission by id (or looked up by name), and the national cloud selected first.</summary>
public class GraphGrantCommandsTests
{
    private const string Tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private const string App = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static readonly Guid UserReadAll = Guid.Parse("df021288-bdef-4463-88db-98f22de89214");

    [Test]
    public void AzureCliAppRegistration_ApplicationPermissionWithId_AddsTheRoleAndConsents()
    {
        var text = GraphGrantCommands.AzureCliAppRegistration("User.Read.All", GraphPermissionKind.Application, UserReadAll, new(Tenant, App, "global", false, false));

        Assert.That(text.Split('\n'), Is.EqualTo(new[]
        {
            "az login --tenant " + Tenant,
            $"az ad app permission add --id {App} --api 00000003-0000-0000-c000-000000000000 --api-permissions {UserReadAll:D}=Role",
            "az ad app permission admin-consent --id " + App,
        }));
    }

    [Test]
    public void AzureCliAppRegistration_DelegatedWithoutIdOrTarget_ScopeLookedUpByNameAndPlaceholders()
    {
        var text = GraphGrantCommands.AzureCliAppRegistration("Mail.Read", GraphPermissionKind.Delegated, Guid.Empty, default);

        Assert.That(text, Does.StartWith("az login --tenant {tenantId}\n"));
        Assert.That(text, Does.Contain("--id {appId}"));
        Assert.That(text, Does.Contain("oauth2PermissionScopes[?value=='Mail.Read'].id | [0]"));
        Assert.That(text, Does.Contain("=Scope\n"));
    }

    [TestCase("usgov", "AzureUSGovernment", "graph.microsoft.us")]
    [TestCase("dod", "AzureUSGovernment", "dod-graph.microsoft.us")]
    [TestCase("china", "AzureChinaCloud", "microsoftgraph.chinacloudapi.cn")]
    public void AzureCliAppRoleAssignment_NationalCloud_SelectsTheCloudAndItsGraphHost(string cloud, string azureCloud, string graphHost)
    {
        var text = GraphGrantCommands.AzureCliAppRoleAssignment("User.Read.All", UserReadAll, new(Tenant, App, cloud, true, false));

        Assert.That(text, Does.StartWith($"az cloud set --name {azureCloud}\naz login --tenant {Tenant}\n"));
        Assert.That(text, Does.Contain($"https://{graphHost}/v1.0/servicePrincipals/$principal/appRoleAssignments"));
        Assert.That(text, Does.Contain(UserReadAll.ToString("D")));
    }

    [Test]
    public void PowerShellAppRoleAssignment_WithAndWithoutId_RoleByIdOrByName()
    {
        var target = new GraphGrantTarget(Tenant, App, "usgov", false, false);

        var byId = GraphGrantCommands.PowerShellAppRoleAssignment("User.Read.All", UserReadAll, target);
        var byName = GraphGrantCommands.PowerShellAppRoleAssignment("User.Read.All", Guid.Empty, target);

        Assert.That(byId, Does.StartWith($"Connect-MgGraph -TenantId {Tenant} -Environment USGov -Scopes 'Application.Read.All','AppRoleAssignment.ReadWrite.All'\n"));
        Assert.That(byId, Does.Contain($"$roleId = '{UserReadAll:D}'"));
        Assert.That(byName, Does.Contain("$_.Value -eq 'User.Read.All' -and $_.AllowedMemberTypes -contains 'Application'"));
        Assert.That(byName, Does.EndWith("New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $client.Id -PrincipalId $client.Id -ResourceId $graph.Id -AppRoleId $roleId"));
    }

    [Test]
    public void PowerShellDelegatedGrant_Scope_UpdatesOrCreatesTheTenantWideGrant()
    {
        var text = GraphGrantCommands.PowerShellDelegatedGrant("Mail.Send", new(Tenant, App, null, false, false));

        Assert.That(text, Does.StartWith($"Connect-MgGraph -TenantId {Tenant} -Scopes 'Application.Read.All','DelegatedPermissionGrant.ReadWrite.All'\n"));
        Assert.That(text, Does.Contain($"$client = Get-MgServicePrincipal -Filter \"appId eq '{App}'\""));
        Assert.That(text, Does.Contain("-Scope \"$($grant.Scope) Mail.Send\""));
        Assert.That(text, Does.Contain("New-MgOauth2PermissionGrant -ClientId $client.Id -ConsentType AllPrincipals -ResourceId $graph.Id -Scope 'Mail.Send'"));
    }
}
