using GraphAuthResilience.Demo.Fleet;

namespace GraphAuthResilience.Redis.Tests;

/// <summary>Runs the demo's <c>fleet</c> command (instance processes over a real redis-server) so it cannot rot.</summary>
[TestFixture]
[NonParallelizable]
public sealed class FleetDemoTests
{
    [Test]
    public async Task FleetCommand_ThreeInstanceProcesses_EveryCheckPasses()
    {
        if (RedisServer.FindExecutable() is null)
        {
            Assert.Ignore(RedisServer.InstallHint);
        }

        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await FleetCommand.RunAsync(["--instances", "3"], output, error);

        var text = output.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("ok    news channel: 2 of 2 other instances subscribed"));
            Assert.That(text, Does.Contain("ok    token requests: 1 (cold start of all 3 instances"));
            Assert.That(text, Does.Contain("ok    cold start: 3 instances x 100 concurrent requests: 300 succeeded, 0 failed"));
            Assert.That(text, Does.Contain("ok    token requests after revocation: 1 (claims acquisitions: 1"));
            Assert.That(text, Does.Not.Contain("FAIL"));
            Assert.That(exit, Is.Zero, text + error);
        });
    }
}
