using GraphAuthResilience.Demo;

namespace GraphAuthResilience.Tests.Demo;

public class PermissionsCommandTests
{
    [Test]
    public async Task RunAsync_TokenHoldingMoreThanTheCallsNeed_PrintsMissingAndUnused()
    {
        using var output = new StringWriter();

        var exit = await PermissionsCommand.RunAsync(output);

        var text = output.ToString();
        Assert.That(exit, Is.Zero, text);
        Assert.That(text, Does.Contain("| application | User.Read.All | Directory.ReadWrite.All, Mail.Read | User.Read.All | Directory.ReadWrite.All, Mail.Read |"));
        Assert.That(text, Does.Contain("| GET | `/users/{id}/manager` | application | User.Read.All | 2 | 0 |"), "the batched step counted with the direct call");
        Assert.That(text, Does.Contain("az ad app permission delete --id aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee --api 00000003-0000-0000-c000-000000000000 --api-permissions 19dbc75e-c2e2-444c-a770-ec69d8559fc7"));
        Assert.That(text, Does.Not.Contain("5f0c2a9e-6b1d-4c3e-9a7f-2b8d4e6f8a10"), "the user id the calls named is not in the report");
    }
}
