using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Permissions;

/// <summary>The steps a report gives: grants for what is missing, removals for what is unused, for the tenant and app
/// the tokens said (placeholders when they did not), never an Azure CLI removal for a managed identity.</summary>
public class PermissionCommandsTests
{
    private const string Tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private const string App = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    [Test]
    public void Removals_UnusedApplicationPermission_CliAndPowerShellByItsId()
    {
        var kind = Kind(appOnly: true, Token(UnsignedJwt.AppOnly().WithTenant(Tenant)), missing: [], unused: ["Directory.Read.All"]);

        var removal = PermissionCommands.Removals(kind).Single();

        Assert.That(removal.Permission, Is.EqualTo("Directory.Read.All"));
        Assert.That(removal.Kind, Is.EqualTo(GraphPermissionKind.Application));
        Assert.That(removal.Id, Is.Not.EqualTo(Guid.Empty), "the catalog knows its app role id");
        Assert.That(removal.AzureCliCommand, Is.EqualTo(
            $"az login --tenant {Tenant}\naz ad app permission delete --id {App} --api 00000003-0000-0000-c000-000000000000 --api-permissions {removal.Id:D}"));
        Assert.That(removal.PowerShellCommand, Does.StartWith($"Connect-MgGraph -TenantId {Tenant} -Scopes 'Application.Read.All','AppRoleAssignment.ReadWrite.All'\n"));
        Assert.That(removal.PowerShellCommand, Does.Contain($"$roleId = '{removal.Id:D}'"));
        Assert.That(removal.PowerShellCommand, Does.Contain("Remove-MgServicePrincipalAppRoleAssignment"));
    }

    [Test]
    public void Removals_UnusedDelegatedScope_TakenOutOfTheGrantsScopes()
    {
        var kind = Kind(appOnly: false, Token(UnsignedJwt.Delegated("Mail.Read").WithTenant(Tenant)), missing: [], unused: ["Mail.Read"]);

        var removal = PermissionCommands.Removals(kind).Single();

        Assert.That(removal.Kind, Is.EqualTo(GraphPermissionKind.Delegated));
        Assert.That(removal.PowerShellCommand, Does.Contain("'DelegatedPermissionGrant.ReadWrite.All'"));
        Assert.That(removal.PowerShellCommand, Does.Contain("Where-Object { $_ -ne 'Mail.Read' }"));
    }

    [Test]
    public void Removals_ManagedIdentityOrUnknownTarget_NoCliForTheIdentityAndPlaceholdersOtherwise()
    {
        var managed = Kind(appOnly: true, Token(UnsignedJwt.AppOnly().WithClaim("xms_mirid", "/subscriptions/x")), missing: [], unused: ["Directory.Read.All"]);
        var unknown = Kind(appOnly: true, null, missing: [], unused: ["Directory.Read.All"]);

        Assert.That(PermissionCommands.Removals(managed).Single().AzureCliCommand, Is.Null, "a managed identity has no app registration");
        Assert.That(PermissionCommands.Removals(unknown).Single().AzureCliCommand, Does.StartWith("az login --tenant {tenantId}\n").And.Contain("--id {appId}"));
    }

    [Test]
    public void Grants_MissingPermissions_OneGrantEach()
    {
        var kind = Kind(appOnly: true, Token(UnsignedJwt.AppOnly().WithTenant(Tenant)), missing: ["User.Read.All", "Group.Read.All"], unused: []);

        var grants = PermissionCommands.Grants(kind);

        Assert.That(grants.Select(g => g.Permission), Is.EquivalentTo(new[] { "User.Read.All", "Group.Read.All" }));
        Assert.That(grants.Select(g => g.Kind), Is.All.EqualTo(GraphPermissionKind.Application));
        Assert.That(PermissionCommands.Removals(kind), Is.Empty);
    }

    private static GraphTokenInfo Token(UnsignedJwt jwt)
    {
        Assert.That(GraphTokenInfo.TryParse(jwt.Build(), out var info), Is.True);
        return info!;
    }

    private static PermissionKindAnalysis Kind(bool appOnly, GraphTokenInfo? token, IReadOnlyList<string> missing, IReadOnlyList<string> unused) =>
        new(appOnly, token, Needed: missing, Held: unused, Missing: missing, Unused: unused, SignIn: [], Covers: new Dictionary<string, IReadOnlyList<string>>(), Exact: true);
}
