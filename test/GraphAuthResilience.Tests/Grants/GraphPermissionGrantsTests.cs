using System.Text.Json;
using GraphAuthResilience.Grants;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Diagnosis;

namespace GraphAuthResilience.Tests.Grants;

/// <summary>Each grant route (delegated, application, managed identity) in the global, US Government and China
/// clouds; ids from Microsoft's provisioning file; placeholders where the token does not say.</summary>
public class GraphPermissionGrantsTests
{
    private const string Tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private const string App = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
    private const string MiResource = "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/worker";

    public static IEnumerable<TestCaseData> Clouds()
    {
        yield return new TestCaseData("https://graph.microsoft.com", "login.microsoftonline.com", "graph.microsoft.com", null, null).SetArgDisplayNames("global");
        yield return new TestCaseData("https://graph.microsoft.us", "login.microsoftonline.us", "graph.microsoft.us", "AzureUSGovernment", "USGov").SetArgDisplayNames("usgov");
        yield return new TestCaseData("https://microsoftgraph.chinacloudapi.cn", "login.chinacloudapi.cn", "microsoftgraph.chinacloudapi.cn", "AzureChinaCloud", "China").SetArgDisplayNames("china");
    }

    [TestCaseSource(nameof(Clouds))]
    public void For_Delegated_ConsentLinkListsTheScopeAndCommandsAddItByIdOrName(string audience, string loginHost, string graphHost, string? azCloud, string? psEnvironment)
    {
        var token = Token(UnsignedJwt.Delegated("User.Read").WithAudience(audience));

        var grant = GraphPermissionGrants.For(["User.Read.All"], GraphPermissionKind.Delegated, token).Single();

        Assert.That(grant.Permission, Is.EqualTo("User.Read.All"));
        Assert.That(grant.Kind, Is.EqualTo(GraphPermissionKind.Delegated));
        Assert.That(grant.RequiresAdminConsent, Is.True);
        var uri = grant.AdminConsentUri!;
        Assert.That(uri.Host, Is.EqualTo(loginHost));
        Assert.That(uri.AbsolutePath, Is.EqualTo($"/{Tenant}/v2.0/adminconsent"));
        var query = Query(uri);
        Assert.That(query["client_id"], Is.EqualTo(App));
        Assert.That(query["scope"], Is.EqualTo($"https://{graphHost}/User.Read.All"));
        Assert.That(grant.PowerShellCommand, Does.Contain($"Connect-MgGraph -TenantId {Tenant}"));
        Assert.That(grant.PowerShellCommand, Does.Contain("Get-MgServicePrincipal -Filter \"appId eq '00000003-0000-0000-c000-000000000000'\""));
        Assert.That(grant.PowerShellCommand, Does.Contain($"Get-MgServicePrincipal -Filter \"appId eq '{App}'\""));
        Assert.That(grant.PowerShellCommand, Does.Contain("New-MgOauth2PermissionGrant -ClientId $client.Id -ConsentType AllPrincipals -ResourceId $graph.Id -Scope 'User.Read.All'"));
        Assert.That(grant.PowerShellCommand, Does.Not.Contain("AppRoleAssignment"));
        Assert.That(grant.AzureCliCommand, Does.Contain($"az login --tenant {Tenant}"));
        Assert.That(grant.AzureCliCommand, Does.EndWith($"az ad app permission admin-consent --id {App}"));
        CheckCloudSelection(grant, azCloud, psEnvironment);
        if (azCloud is null)
        {
            // Global: the reference's scope id, used as is.
            Assert.That(grant.Id, Is.EqualTo(Guid.Parse("a154be20-db9c-4678-8ab7-66f6cc099a59")));
            Assert.That(grant.AzureCliCommand, Does.Contain($"az ad app permission add --id {App} --api 00000003-0000-0000-c000-000000000000 --api-permissions a154be20-db9c-4678-8ab7-66f6cc099a59=Scope"));
        }
        else
        {
            // The reference does not say the global id applies there: looked up by name, never guessed.
            Assert.That(grant.Id, Is.EqualTo(Guid.Empty));
            Assert.That(grant.AzureCliCommand, Does.Contain("--api-permissions $(az ad sp show --id 00000003-0000-0000-c000-000000000000 --query \"oauth2PermissionScopes[?value=='User.Read.All'].id | [0]\" -o tsv)=Scope"));
            Assert.That(GraphPermissionGrants.Remediation([grant], token), Does.Contain("not known from Microsoft's reference").And.Contain("look it up by name"));
        }
    }

    [TestCaseSource(nameof(Clouds))]
    public void For_Application_ConsentLinkAsksForDefaultAndCommandsAddTheRoleThenConsent(string audience, string loginHost, string graphHost, string? azCloud, string? psEnvironment)
    {
        var token = Token(UnsignedJwt.AppOnly().WithAudience(audience));

        var grant = GraphPermissionGrants.For(["User.Read.All"], GraphPermissionKind.Application, token).Single();

        Assert.That(grant.Kind, Is.EqualTo(GraphPermissionKind.Application));
        Assert.That(grant.RequiresAdminConsent, Is.True);
        var query = Query(grant.AdminConsentUri!);
        Assert.That(grant.AdminConsentUri!.Host, Is.EqualTo(loginHost));
        Assert.That(query["scope"], Is.EqualTo($"https://{graphHost}/.default"), "application permissions are consented as configured on the registration");
        Assert.That(query["client_id"], Is.EqualTo(App));
        var lines = grant.AzureCliCommand.Split('\n');
        var add = Array.FindIndex(lines, l => l.StartsWith("az ad app permission add", StringComparison.Ordinal));
        var consent = Array.FindIndex(lines, l => l.StartsWith("az ad app permission admin-consent", StringComparison.Ordinal));
        Assert.That(add, Is.GreaterThanOrEqualTo(0).And.LessThan(consent), "added to the registration before consent");
        Assert.That(lines[add], Does.EndWith("=Role"));
        Assert.That(grant.PowerShellCommand, Does.Contain("New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $client.Id -PrincipalId $client.Id -ResourceId $graph.Id -AppRoleId $roleId"));
        Assert.That(grant.PowerShellCommand, Does.Not.Contain("Oauth2PermissionGrant"));
        CheckCloudSelection(grant, azCloud, psEnvironment);
        if (azCloud is null)
        {
            Assert.That(grant.Id, Is.EqualTo(Guid.Parse("df021288-bdef-4463-88db-98f22de89214")));
            Assert.That(lines[add], Does.Contain("--api-permissions df021288-bdef-4463-88db-98f22de89214=Role"));
            Assert.That(grant.PowerShellCommand, Does.Contain("$roleId = 'df021288-bdef-4463-88db-98f22de89214'"));
        }
        else
        {
            Assert.That(grant.Id, Is.EqualTo(Guid.Empty));
            Assert.That(grant.PowerShellCommand, Does.Contain("$graph.AppRoles | Where-Object { $_.Value -eq 'User.Read.All' -and $_.AllowedMemberTypes -contains 'Application' }"));
        }

        Assert.That(GraphPermissionGrants.Remediation([grant], token), Does.Contain("app registration's API permissions first").And.Contain("/.default"));
    }

    [TestCaseSource(nameof(Clouds))]
    public void For_ManagedIdentity_NoConsentLinkOnlyAnAppRoleAssignment(string audience, string loginHost, string graphHost, string? azCloud, string? psEnvironment)
    {
        var token = Token(UnsignedJwt.AppOnly().WithAudience(audience).WithClaim("xms_mirid", MiResource));

        var grant = GraphPermissionGrants.For(["AuditLog.Read.All"], GraphPermissionKind.Application, token).Single();

        Assert.That(grant.AdminConsentUri, Is.Null, "a managed identity has no consent page");
        Assert.That(grant.PowerShellCommand, Does.Contain("New-MgServicePrincipalAppRoleAssignment"));
        Assert.That(grant.PowerShellCommand, Does.Contain($"Get-MgServicePrincipal -Filter \"appId eq '{App}'\""));
        Assert.That(grant.AzureCliCommand, Does.Not.Contain("az ad app permission"), "no app registration to add a permission to");
        Assert.That(grant.AzureCliCommand, Does.Contain($"principal=$(az ad sp show --id {App} --query id -o tsv)"));
        Assert.That(grant.AzureCliCommand, Does.Contain($"az rest --method post --uri \"https://{graphHost}/v1.0/servicePrincipals/$principal/appRoleAssignments\""));
        Assert.That(grant.AzureCliCommand + grant.PowerShellCommand, Does.Not.Contain("xms_mirid").And.Not.Contain("userAssignedIdentities"), "nothing else of the token");
        CheckCloudSelection(grant, azCloud, psEnvironment);
        if (azCloud is null)
        {
            Assert.That(grant.Id, Is.EqualTo(Guid.Parse("b0afded3-3588-46d8-8b3d-9842eff778da")));
            Assert.That(grant.AzureCliCommand, Does.Contain("\\\"appRoleId\\\":\\\"b0afded3-3588-46d8-8b3d-9842eff778da\\\""));
        }

        var remediation = GraphPermissionGrants.Remediation([grant], token);
        Assert.That(remediation, Does.Contain("managed identity").And.Contain("24 hours").And.Contain("force a refresh").And.Contain("few minutes"));
    }

    [Test]
    public void For_NoToken_PlaceholdersNeverAGuess()
    {
        var grants = GraphPermissionGrants.For(["User.Read.All", "Directory.Read.All"], GraphPermissionKind.Application, token: null);

        Assert.That(grants.Select(g => g.Permission), Is.EqualTo(new[] { "User.Read.All", "Directory.Read.All" }), "in the order given");
        foreach (var grant in grants)
        {
            Assert.That(grant.AzureCliCommand, Does.Contain("az login --tenant {tenantId}").And.Contain("--id {appId}"));
            Assert.That(grant.PowerShellCommand, Does.Contain("Connect-MgGraph -TenantId {tenantId}").And.Contain("appId eq '{appId}'"));
            var uri = grant.AdminConsentUri!;
            Assert.That(Uri.UnescapeDataString(uri.AbsolutePath), Is.EqualTo("/{tenantId}/v2.0/adminconsent"));
            Assert.That(Query(uri)["client_id"], Is.EqualTo("{appId}"));
            Assert.That(uri.Host, Is.EqualTo("login.microsoftonline.com"));
        }

        Assert.That(GraphPermissionGrants.Remediation(grants, null), Does.Contain("replace {tenantId} and {appId}"));
    }

    [Test]
    public void For_TokenWithoutClientId_PlaceholderForTheClientOnly()
    {
        GraphTokenInfo.TryParse(UnsignedJwt.AppOnly().WithTenant(Tenant).WithClaim("appid", "not-a-guid; rm -rf /").Build(), out var token);

        var grant = GraphPermissionGrants.For(["User.Read.All"], GraphPermissionKind.Application, token).Single();

        Assert.That(grant.AzureCliCommand, Does.Contain("--id {appId}").And.Contain($"--tenant {Tenant}").And.Not.Contain("rm -rf"));
        Assert.That(Query(grant.AdminConsentUri!)["client_id"], Is.EqualTo("{appId}"));
    }

    [Test]
    public void For_MsalScopesAndUnknownNames_OnlyGraphPermissionsOfTheKind()
    {
        var grants = GraphPermissionGrants.For(
            ["openid", "https://graph.microsoft.com/.default", "https://graph.microsoft.com/Mail.Send", "NotAPermission.Read", "mail.send", "ChannelMessage.Read.Group"],
            GraphPermissionKind.Delegated,
            token: null);

        // ChannelMessage.Read.Group is resource-specific consent: granted per team, not by these routes.
        Assert.That(grants.Select(g => g.Permission), Is.EqualTo(new[] { "Mail.Send" }));
        Assert.That(grants[0].RequiresAdminConsent, Is.False, "Mail.Send delegated is user-consentable in the map");
        Assert.That(GraphPermissionGrants.For(["User.Read"], GraphPermissionKind.Application, token: null), Is.Empty, "User.Read has no application form");
    }

    [Test]
    public void For_PersonalAccount_NoAdminConsentAndNoConsumerTenantInCommands()
    {
        GraphTokenInfo.TryParse(UnsignedJwt.Delegated("User.Read").AsPersonalAccount().WithClaim("appid", App).Build(), out var token);

        var grant = GraphPermissionGrants.For(["Mail.Read"], GraphPermissionKind.Delegated, token).Single();

        Assert.That(grant.AdminConsentUri, Is.Null, "personal accounts consent for themselves at sign-in");
        Assert.That(grant.AzureCliCommand, Does.Contain("--tenant {tenantId}").And.Not.Contain(GraphTokenInfo.PersonalAccountTenantId));
    }

    [Test]
    public void For_IdsOfBothKinds_MatchTheReferenceForASample()
    {
        using var provisioning = JsonDocument.Parse(File.ReadAllText(GraphPermissionCatalogGeneratorTests.Paths.Provisioning));
        var deployments = provisioning.RootElement.GetProperty("permissionDeployments");
        string[] sample = ["User.Read", "User.Read.All", "AuditLog.Read.All", "Mail.Send", "Sites.Selected", "Group.ReadWrite.All", "Calendars.ReadWrite", "Directory.Read.All", "Files.Read.All", "Team.ReadBasic.All"];
        var checkedIds = 0;
        foreach (var name in sample)
        {
            foreach (var (kind, scheme) in new[] { (GraphPermissionKind.Delegated, "DelegatedWork"), (GraphPermissionKind.Application, "Application") })
            {
                var expected = deployments.GetProperty(name).EnumerateArray()
                    .Where(e => e.GetProperty("scheme").GetString() == scheme && e.GetProperty("environment").GetString()!.Contains("public", StringComparison.OrdinalIgnoreCase))
                    .Select(e => e.TryGetProperty("id", out var id) ? id.GetString() : null)
                    .FirstOrDefault(id => Guid.TryParse(id, out _));
                var grant = GraphPermissionGrants.For([name], kind, token: null).SingleOrDefault();
                if (expected is null)
                {
                    Assert.That(grant?.Id ?? Guid.Empty, Is.EqualTo(Guid.Empty), $"{name} {kind}");
                    continue;
                }

                Assert.That(grant, Is.Not.Null, $"{name} {kind}");
                Assert.That(grant!.Id, Is.EqualTo(Guid.Parse(expected)), $"{name} {kind}");
                Assert.That(grant.AzureCliCommand, Does.Contain($"{expected}={(kind == GraphPermissionKind.Application ? "Role" : "Scope")}"));
                checkedIds++;
            }
        }

        Assert.That(checkedIds, Is.GreaterThanOrEqualTo(16));
    }

    [Test]
    public void For_NothingOfTheTokenButTenantClientAndCloud()
    {
        var raw = UnsignedJwt.AppOnly().WithTenant(Tenant).WithClaim("appid", App).WithRoles("Secret.Role.Name").WithClaim("xms_mirid", MiResource).Build();
        GraphTokenInfo.TryParse(raw, out var token);

        var grant = GraphPermissionGrants.For(["User.Read.All"], GraphPermissionKind.Application, token).Single();
        var all = grant.AzureCliCommand + grant.PowerShellCommand + grant.AdminConsentUri + GraphPermissionGrants.Remediation([grant], token);

        Assert.That(all, Does.Not.Contain(raw).And.Not.Contain(raw.Split('.')[1]).And.Not.Contain("Secret.Role.Name").And.Not.Contain("worker"));
    }

    [TestCase("https://sts.windows.net/{0}/", "00000003-0000-0000-c000-000000000000", null)]
    [TestCase("https://login.microsoftonline.us/{0}/v2.0", "00000003-0000-0000-c000-000000000000", "usgov")]
    [TestCase("https://sts.chinacloudapi.cn/{0}/", "00000003-0000-0000-c000-000000000000", "china")]
    [TestCase("https://sts.windows.net/{0}/", "https://dod-graph.microsoft.us", "dod")]
    [TestCase("https://login.microsoftonline.com/{0}/v2.0", "00000003-0000-0000-c000-000000000000", "global")]
    public void Cloud_FromTheAudienceElseTheIssuer(string issuer, string audience, string? cloud)
    {
        var token = Token(UnsignedJwt.AppOnly().WithAudience(audience).WithClaim("iss", string.Format(System.Globalization.CultureInfo.InvariantCulture, issuer, Tenant)));

        Assert.That(token.Cloud, Is.EqualTo(cloud));
    }

    private static void CheckCloudSelection(GraphPermissionGrant grant, string? azCloud, string? psEnvironment)
    {
        if (azCloud is null)
        {
            Assert.That(grant.AzureCliCommand, Does.Not.Contain("az cloud set"));
            Assert.That(grant.PowerShellCommand, Does.Not.Contain("-Environment"));
        }
        else
        {
            Assert.That(grant.AzureCliCommand, Does.StartWith($"az cloud set --name {azCloud}\n"));
            Assert.That(grant.PowerShellCommand, Does.StartWith($"Connect-MgGraph -TenantId {Tenant} -Environment {psEnvironment} "));
        }
    }

    private static GraphTokenInfo Token(UnsignedJwt jwt)
    {
        Assert.That(GraphTokenInfo.TryParse(jwt.WithTenant(Tenant).WithClaim("appid", App).Build(), out var token), Is.True);
        return token!;
    }

    private static Dictionary<string, string> Query(Uri uri) =>
        uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);
}
