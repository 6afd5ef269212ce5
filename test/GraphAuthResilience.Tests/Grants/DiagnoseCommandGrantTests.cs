using GraphAuthResilience.Demo;
using GraphAuthResilience.Tests.Diagnosis;

namespace GraphAuthResilience.Tests.Grants;

/// <summary>The demo's <c>diagnose</c> prints how to grant what a failure needs: <c>Grant:</c>, <c>Consent:</c>,
/// <c>Azure CLI:</c> and <c>PowerShell:</c> lines per permission.</summary>
public class DiagnoseCommandGrantTests
{
    private static string Sample(string name) =>
        Path.Combine(GraphPermissionCatalogGeneratorTests.Paths.Root, "samples", "GraphAuthResilience.Demo", "samples", name);

    [Test]
    public async Task RunAsync_ConsentRequiredAtTheTokenEndpoint_GrantLinesForTheScopesAskedFor()
    {
        var text = await RunAsync(
            "--status", "400", "--body", Sample("aadsts65001-consent.body.json"),
            "--request", "POST https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
            "--scopes", "https://graph.microsoft.com/User.Read.All https://graph.microsoft.com/Mail.Send offline_access");

        Assert.That(text, Does.Contain("Cause:                ConsentRequired"));
        Assert.That(text, Does.Contain("Scopes asked for:     https://graph.microsoft.com/User.Read.All https://graph.microsoft.com/Mail.Send offline_access"));
        Assert.That(text, Does.Contain("Grant:                User.Read.All (Delegated, id a154be20-db9c-4678-8ab7-66f6cc099a59, admin consent needed)"));
        Assert.That(text, Does.Contain("Grant:                Mail.Send (Delegated, id e383f46e-2787-4529-855e-0e479a3ffac0, user consent suffices)"));
        Assert.That(text, Does.Contain("Consent:              https://login.microsoftonline.com/%7BtenantId%7D/v2.0/adminconsent?client_id=%7BappId%7D&scope=https%3A%2F%2Fgraph.microsoft.com%2FUser.Read.All"));
        Assert.That(text, Does.Contain("Azure CLI:            az login --tenant {tenantId}"));
        Assert.That(text, Does.Contain("                      az ad app permission add --id {appId} --api 00000003-0000-0000-c000-000000000000 --api-permissions a154be20-db9c-4678-8ab7-66f6cc099a59=Scope"));
        Assert.That(text, Does.Contain("PowerShell:           Connect-MgGraph -TenantId {tenantId}"));
        Assert.That(text, Does.Contain("New-MgOauth2PermissionGrant"));
        Assert.That(text, Does.Match("Remediation: .*force a refresh"));
        Assert.That(System.Text.RegularExpressions.Regex.Matches(text, "^Grant: ", System.Text.RegularExpressions.RegexOptions.Multiline), Has.Count.EqualTo(2), "offline_access is not a Graph permission");
    }

    [Test]
    public async Task RunAsync_TokenEndpointFailureNoPermissionFixes_NoGrantLines()
    {
        var text = await RunAsync(
            "--status", "401", "--body", Sample("aadsts7000215-secret-id.body.json"),
            "--request", "POST https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
            "--scopes", "https://graph.microsoft.com/User.Read.All");

        Assert.That(text, Does.Contain("Cause:                TokenAcquisitionFailed"));
        Assert.That(text, Does.Not.Contain("Grant:").And.Not.Contain("Azure CLI:").And.Not.Contain("PowerShell:"));
    }

    private static async Task<string> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DiagnoseCommand.RunAsync(args, output, error, TextReader.Null);
        Assert.That(exit, Is.Zero, error.ToString());
        return output.ToString();
    }
}
