using GraphAuthResilience.Demo;
using GraphAuthResilience.Tests.Diagnosis;

namespace GraphAuthResilience.Tests.Demo;

/// <summary>
/// The demo's <c>diagnose</c> command: it prints why (Confidence, Alternatives and Evidence lines beside every
/// earlier label), explains token-endpoint answers through the MSAL token sources' own mapping, and prints how to grant
/// what a failure needs (<c>Grant:</c>, <c>Consent:</c>, <c>Azure CLI:</c> and <c>PowerShell:</c> lines per permission).
/// </summary>
public class DiagnoseCommandTests
{
    [Test]
    public async Task Diagnose_AppOnlyOnMe_PrintsConfidenceAlternativesAndEvidence()
    {
        using var output = new StringWriter();
        using var stdin = new StringReader("""{"error":{"code":"BadRequest","message":"/me request is only valid with delegated authentication flow.","innerError":{"date":"2023-03-05T10:00:00","request-id":"5b5a9a4e-6d4c-4c3a-9e0b-1f2d3c4b5a69"}}}""");

        var exitCode = await DiagnoseCommand.RunAsync(
            ["--status", "400", "--body", "-", "--request", "GET https://graph.microsoft.com/v1.0/me"],
            output, TextWriter.Null, stdin);

        var text = output.ToString();
        Assert.That(exitCode, Is.Zero);
        Assert.That(text, Does.Contain("Cause:                TokenTypeMismatch"));
        Assert.That(text, Does.Contain("Confidence:           High"));
        Assert.That(text, Does.Contain("Alternatives:         (none)"));
        Assert.That(text, Does.Contain("Evidence:             Graph's message says this API does not accept app-only tokens."));
        foreach (var label in new[] { "Request:", "Graph answered:", "Remediation:", "Required permissions:", "Graph error code:", "Request id:", "Client request id:", "Token that was sent:", "Help:" })
        {
            Assert.That(text, Does.Contain(label));
        }
    }

    [TestCase("aadsts65001-consent.body.json", "400", "ConsentRequired", "AADSTS65001", "admin consent")]
    [TestCase("aadsts7000215-secret-id.body.json", "401", "TokenAcquisitionFailed", "AADSTS7000215", "Secret ID")]
    public async Task RunAsync_TokenEndpointAnswer_LabelledLinesFromTheMsalMapping(string file, string status, string cause, string aadsts, string keyword)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await DiagnoseCommand.RunAsync(
            ["--status", status, "--body", Sample(file), "--request", "POST https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"],
            output, error, TextReader.Null);

        var text = output.ToString();
        Assert.That(exit, Is.Zero, error.ToString());
        Assert.That(text, Does.Contain("Cause:                " + cause));
        Assert.That(text, Does.Contain("AADSTS code:          " + aadsts));
        Assert.That(text, Does.Match("Remediation: .*" + keyword));
        Assert.That(text, Does.Contain("Required permissions: "));
        Assert.That(text, Does.Contain("through real MSAL"));
        // The token endpoint's own text (error_description, trace ids in it) is never echoed.
        Assert.That(text, Does.Not.Contain("Trace ID").And.Not.Contain("Send an interactive authorization request").And.Not.Contain("for a secret added to app"));
    }

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

    [Test]
    public async Task RunAsync_GraphRefusedAnAppOnlyToken_ApplicationGrantLinesAndWhatToDoAfter()
    {
        var text = await RunAsync(
            "--status", "403",
            "--headers", Sample("insufficient-permissions.headers.txt"),
            "--body", Sample("insufficient-permissions.body.json"),
            "--request", "GET https://graph.microsoft.com/v1.0/users",
            "--token-file", Sample("app-only-token.txt"));

        Assert.That(text, Does.Contain("Cause:                InsufficientPermissions"));
        var grant = text.Split('\n').Single(l => l.StartsWith("Grant:", StringComparison.Ordinal));
        Assert.That(grant, Does.Match(@"^Grant: +User\.Read(Basic)?\.All \(Application, id [0-9a-f-]{36}, admin consent needed\)"));
        Assert.That(text, Does.Contain("Consent:              https://login.microsoftonline.com/").And.Contain("scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"));
        Assert.That(text, Does.Match(@"Azure CLI: +az login --tenant [0-9a-f-]{36}"));
        Assert.That(text, Does.Match(@"--api-permissions [0-9a-f-]{36}=Role"));
        Assert.That(text, Does.Contain("PowerShell:           Connect-MgGraph -TenantId ").And.Contain("New-MgServicePrincipalAppRoleAssignment"));
        Assert.That(text, Does.Match("Remediation: .*app registration's API permissions first.*new token"));
    }

    [TestCase("wrong-audience", "401", "azure-ad-graph-token.txt", "WrongAudience")]
    [TestCase("app-only-me", "400", "app-only-token.txt", "TokenTypeMismatch")]
    public async Task RunAsync_CauseNoPermissionFixes_NoGrantLines(string sample, string status, string token, string cause)
    {
        var text = await RunAsync(
            "--status", status,
            "--headers", Sample(sample + ".headers.txt"),
            "--body", Sample(sample + ".body.json"),
            "--request", sample == "app-only-me" ? "GET https://graph.microsoft.com/v1.0/me" : "GET https://graph.microsoft.com/v1.0/users",
            "--token-file", Sample(token));

        Assert.That(text, Does.Contain("Cause:                " + cause));
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
