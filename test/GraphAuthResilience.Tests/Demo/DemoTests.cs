using GraphAuthResilience.Demo;

namespace GraphAuthResilience.Tests.Demo;

/// <summary>The demo (the fakes' main user): its scenario walk and its <c>diagnose</c> command over the shipped samples.</summary>
public class DemoTests
{
    private static readonly string Samples = Path.Combine(RepositoryRoot(), "samples", "GraphAuthResilience.Demo", "samples");

    [Test]
    public async Task ScenarioWalk_RunAsync_EveryScenarioEndsAsExpected()
    {
        using var output = new StringWriter();

        var exitCode = await ScenarioWalk.RunAsync(output);

        Assert.That(exitCode, Is.Zero, output.ToString());
        Assert.That(output.ToString(), Does.Contain("25 of 25 scenarios ended as expected"));
        Assert.That(output.ToString(), Does.Contain("Managed identity: CAE challenge met").And.Contain("Azure.Identity: 50 concurrent, cold").And.Contain("Azure.Identity: CAE challenge met").And.Contain("Batch: 20 steps, CAE challenged"));
        Assert.That(output.ToString(), Does.Contain("Many customer tenants through one client").And.Contain("Northwind").And.Contain("TenantNotOnboarded").And.Contain("each with a token whose tid is its own tenant: yes"));
    }

    [Test]
    public async Task Diagnose_InsufficientPermissionsSample_PrintsCauseAndIdsButNeverTheToken()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var token = (await File.ReadAllTextAsync(Sample("app-only-token.txt"))).Trim();

        var exitCode = await DiagnoseCommand.RunAsync(
            ["--status", "403", "--headers", Sample("insufficient-permissions.headers.txt"), "--body", Sample("insufficient-permissions.body.json"),
             "--request", "GET https://graph.microsoft.com/v1.0/users", "--token-file", Sample("app-only-token.txt")],
            output, error, TextReader.Null);

        var text = output.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, error.ToString());
            Assert.That(text, Does.Contain("Cause:                InsufficientPermissions"));
            Assert.That(text, Does.Contain("Request id:           7f4b2c1d-3e5a-4b6c-8d7e-9f0a1b2c3d4e"));
            Assert.That(text, Does.Contain("Graph error code:     Authorization_RequestDenied"));
            Assert.That(text, Does.Contain("roles=[Group.Read.All]"));
            Assert.That(text, Does.Not.Contain(token).And.Not.Contain(token.Split('.')[1]));
        });
    }

    [Test]
    public async Task Diagnose_BodyFromStdin_ClassifiesAppOnlyOnMeAsTokenTypeMismatch()
    {
        using var output = new StringWriter();
        using var stdin = new StringReader(await File.ReadAllTextAsync(Sample("app-only-me.body.json")));

        var exitCode = await DiagnoseCommand.RunAsync(
            ["--status", "400", "--headers", Sample("app-only-me.headers.txt"), "--body", "-",
             "--request", "GET https://graph.microsoft.com/v1.0/me", "--token-file", Sample("app-only-token.txt")],
            output, TextWriter.Null, stdin);

        Assert.That(exitCode, Is.Zero);
        Assert.That(output.ToString(), Does.Contain("Cause:                TokenTypeMismatch"));
    }

    [Test]
    public async Task Diagnose_WrongAudienceSample_SaysWrongAudienceAfterOneSend()
    {
        using var output = new StringWriter();

        var exitCode = await DiagnoseCommand.RunAsync(
            ["--status", "401", "--headers", Sample("wrong-audience.headers.txt"), "--body", Sample("wrong-audience.body.json"),
             "--token-file", Sample("azure-ad-graph-token.txt")],
            output, TextWriter.Null, TextReader.Null);

        Assert.That(exitCode, Is.Zero);
        Assert.That(output.ToString(), Does.Contain("Cause:                WrongAudience").And.Contain("(1 send through the chain)"));
    }

    [Test]
    public async Task Diagnose_UnquotedCaeSample_ReadsTheClaimsTheTypedHeadersDrop()
    {
        using var output = new StringWriter();

        var exitCode = await DiagnoseCommand.RunAsync(
            ["--status", "401", "--headers", Sample("cae-unquoted.headers.txt"), "--body", Sample("cae-unquoted.body.json"),
             "--request", "GET https://graph.microsoft.com/v1.0/me"],
            output, TextWriter.Null, TextReader.Null);

        Assert.That(exitCode, Is.Zero);
        Assert.That(output.ToString(), Does.Contain("Cause:                UnsatisfiedClaimsChallenge")
            .And.Contain("""{"access_token":{"nbf":{"essential":true, "value":"1657834417"}}}"""));
    }

    [Test]
    public async Task Diagnose_NoStatus_ExitsTwoWithUsage()
    {
        using var error = new StringWriter();

        var exitCode = await DiagnoseCommand.RunAsync(["--body", Sample("wrong-audience.body.json")], TextWriter.Null, error, TextReader.Null);

        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(error.ToString(), Does.Contain("--status"));
    }

    private static string Sample(string name) => Path.Combine(Samples, name);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GraphAuthResilience.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GraphAuthResilience.sln not found above the test directory.");
    }
}
