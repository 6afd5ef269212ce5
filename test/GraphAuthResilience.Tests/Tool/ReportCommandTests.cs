extern alias tool;

using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;
using ReportCommand = tool::GraphAuthResilience.Tool.ReportCommand;

namespace GraphAuthResilience.Tests.Tool;

/// <summary><c>graph-auth report FILE</c>: a recorded permission report (its JSON) read back, analysed again with the
/// tool's catalog and rendered as the library's markdown; anything else refused with the reason and exit 2.</summary>
public class ReportCommandTests
{
    [Test]
    public async Task RunAsync_RecordedReportOnStandardInput_TheLibrarysMarkdown()
    {
        var usage = new GraphPermissionUsage();
        var app = usage.TokenFor(UnsignedJwt.AppOnly().WithRoles("User.Read.All", "Mail.Read").Build());
        usage.Record("GET", new Uri("https://graph.microsoft.com/v1.0/users/6c5b4a39-0000-4000-8000-0000000000a1"), app);
        var refused = new Uri("https://graph.microsoft.com/v1.0/users/alice@contoso.com");
        usage.Record("GET", refused, app);
        usage.RecordDenied("GET", refused, app);
        var report = usage.GetReport();

        var (exit, text, error) = await RunAsync(["-"], report.ToJson());

        Assert.That(exit, Is.Zero, error);
        Assert.That(text, Does.Contain("2 recorded calls to 1 operations."));
        Assert.That(text, Does.Contain("| application |"));
        Assert.That(text, Does.Contain("Mail.Read"), "held and unused");
        Assert.That(text, Does.Contain("{tenantId}").And.Contain("{appId}"), "the JSON keeps no tenant or app id");
        var operationRow = text.Split('\n').Single(l => l.StartsWith("| GET | `/users/", StringComparison.Ordinal));
        Assert.That(operationRow, Does.EndWith("| 2 | 1 |"));
    }

    [Test]
    public async Task RunAsync_ReportFile_ReadFromThePath()
    {
        var usage = new GraphPermissionUsage();
        usage.Record("GET", new Uri("https://graph.microsoft.com/v1.0/me/messages"), usage.TokenFor(UnsignedJwt.Delegated("Mail.Read").Build()));
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"report-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, usage.GetReport().ToJson());
        try
        {
            var (exit, text, _) = await RunAsync([path], string.Empty);

            Assert.That(exit, Is.Zero);
            Assert.That(text, Does.Contain("| GET | `/me/messages` |"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCase("not json", "Could not read the permission report")]
    [TestCase("""{"held":{}}""", "Could not read the permission report")]
    [TestCase("""{"operations":[{"method":"GET","pathTemplate":"/users","kind":"application","count":1,"denied":2}],"held":{}}""", "denied no more than count")]
    [TestCase("""{"operations":[{"method":"GET","pathTemplate":"/users","kind":"robot","count":1,"denied":0}],"held":{}}""", "Unknown kind of token")]
    public async Task RunAsync_NotAReport_ExitTwoWithTheReason(string json, string reason)
    {
        var (exit, text, error) = await RunAsync(["-"], json);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(text, Is.Empty);
        Assert.That(error, Does.Contain(reason).And.Contain("usage: graph-auth report"));
    }

    [Test]
    public async Task RunAsync_NoArgumentOrMissingFile_ExitTwo()
    {
        Assert.That((await RunAsync([], string.Empty)).Exit, Is.EqualTo(2));
        Assert.That((await RunAsync([Path.Combine(TestContext.CurrentContext.WorkDirectory, "no-such-report.json")], string.Empty)).Exit, Is.EqualTo(2));
        Assert.That((await RunAsync(["--help"], string.Empty)).Exit, Is.Zero);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(string[] args, string stdin)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(stdin);
        var exit = await ReportCommand.RunAsync(args, output, error, input);
        return (exit, output.ToString(), error.ToString());
    }
}
