using GraphAuthResilience.Demo;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary><c>diagnose</c> prints why: Confidence, Alternatives and Evidence lines beside every earlier label.</summary>
public class DiagnoseCommandEvidenceTests
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
}
