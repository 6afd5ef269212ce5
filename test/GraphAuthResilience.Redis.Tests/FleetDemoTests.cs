using GraphAuthResilience.Demo.Fleet;

namespace GraphAuthResilience.Redis.Tests;

/// <summary>Runs the demo's <c>fleet</c> command (instance processes over a real redis-server) so it cannot rot.</summary>
[TestFixture]
[NonParallelizable]
public sealed class FleetDemoTests
{
    [Test]
    public async Task FleetCommand_ThreeInstanceProcesses_ColdStartMakesOneTokenRequest()
    {
        if (RedisServer.FindExecutable() is null)
        {
            Assert.Ignore(RedisServer.InstallHint);
        }

        using var output = new StringWriter();
        using var error = new StringWriter();

        // The revocation checks pass once the chain uses the rejection channel (cache helper, issue 15); then exit is 0.
        var exit = await FleetCommand.RunAsync(["--instances", "3"], output, error);

        var text = output.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("ok    token requests: 1 (cold start of all 3 instances"));
            Assert.That(text, Does.Contain("ok    cold start: 3 instances x 100 concurrent requests: 300 succeeded, 0 failed"));
            Assert.That(text, Does.Contain("token requests after revocation:"), "the command ran to the end: " + text + error);
            Assert.That(exit, Is.AnyOf(0, 1), "the command itself did not fail to run: " + error);
        });
    }
}
