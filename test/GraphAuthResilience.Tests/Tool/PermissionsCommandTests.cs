extern alias tool;

using PermissionsCommand = tool::GraphAuthResilience.Tool.PermissionsCommand;

namespace GraphAuthResilience.Tests.Tool;

/// <summary><c>graph-auth permissions METHOD URL</c>: the permissions an operation accepts per kind of token, least
/// privileged first, with their ids, and the commands that grant the least privileged; offline, from the embedded
/// catalog. Exit 0 for a known operation, 1 for an unknown one, 2 for bad input.</summary>
public class PermissionsCommandTests
{
    [Test]
    public void Run_KnownOperation_PermissionsPerKindWithIdsAndGrants()
    {
        var (exit, text, error) = Run("GET", "https://graph.microsoft.com/v1.0/users/alice@contoso.com");

        Assert.That(exit, Is.Zero, error);
        Assert.That(text, Does.Contain("Request:              GET https://graph.microsoft.com/v1.0/users/alice@contoso.com"));
        Assert.That(text, Does.Contain("Operation:            GET /users/"));
        Assert.That(text, Does.Contain("Cloud:                global"));
        Assert.That(text, Does.Contain("User.Read.All").And.Contain("df021288-bdef-4463-88db-98f22de89214"), "the app role id of User.Read.All");
        Assert.That(text, Does.Contain("least privileged"));
        Assert.That(text, Does.Contain("Grant application:    az login --tenant {tenantId}"));
        Assert.That(text, Does.Contain("az ad app permission add --id {appId}"));
    }

    [Test]
    public void Run_NationalCloud_IdsWithoutGlobalCommands()
    {
        var (exit, text, _) = Run("get", "https://graph.microsoft.us/v1.0/users");

        Assert.That(exit, Is.Zero);
        Assert.That(text, Does.Contain("Cloud:                usgov"));
        Assert.That(text, Does.Contain("cloud's portal with the id above"));
        Assert.That(text, Does.Not.Contain("az ad app permission add"));
    }

    [TestCase("GET", "https://example.com/v1.0/users", "is not a Microsoft Graph host")]
    [TestCase("GET", "https://graph.microsoft.com/v1.0/noSuchResource/here", "not in the permission catalog")]
    public void Run_UnknownOperation_ExitOne(string method, string url, string says)
    {
        var (exit, text, _) = Run(method, url);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(text, Does.Contain(says));
    }

    [TestCase("GET", "http://graph.microsoft.com/v1.0/users")]
    [TestCase("GET", "/v1.0/users")]
    [TestCase("GE T", "https://graph.microsoft.com/v1.0/users")]
    [TestCase("GET")]
    public void Run_BadInput_ExitTwoWithUsage(params string[] args)
    {
        var (exit, text, error) = Run(args);

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(text, Is.Empty);
        Assert.That(error, Does.Contain("usage: graph-auth permissions"));
    }

    [Test]
    public void Run_Help_Usage()
    {
        var (exit, text, _) = Run("--help");

        Assert.That(exit, Is.Zero);
        Assert.That(text, Does.StartWith("usage: graph-auth permissions"));
    }

    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = PermissionsCommand.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
