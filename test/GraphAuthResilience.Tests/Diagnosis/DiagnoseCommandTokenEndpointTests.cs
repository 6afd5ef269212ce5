using GraphAuthResilience.Demo;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>The demo's <c>diagnose</c> explains token-endpoint answers through the MSAL token sources' own mapping.</summary>
public class DiagnoseCommandTokenEndpointTests
{
    private static string Sample(string name) =>
        Path.Combine(GraphPermissionCatalogGeneratorTests.Paths.Root, "samples", "GraphAuthResilience.Demo", "samples", name);

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
}
