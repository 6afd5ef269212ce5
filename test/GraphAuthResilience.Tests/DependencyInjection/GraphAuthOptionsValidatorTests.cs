using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.Tests.DependencyInjection;

/// <summary>Every invalid <see cref="GraphAuthOptions"/> setting fails at start (the generated range validator and the
/// cross-field validator), with a message naming the setting, before any request is sent.</summary>
public class GraphAuthOptionsValidatorTests
{
    [TestCase("Scopes", "whitespace entry")]
    [TestCase("AllowedHosts", "empty entry")]
    [TestCase("AllowedHosts", "path")]
    [TestCase("AllowedHosts", "not a host")]
    [TestCase("RefreshMargin", "above one hour")]
    [TestCase("MaxReplayBufferBytes", "above 100 MiB")]
    [TestCase("MaxBatchResponseBytes", "negative")]
    [TestCase("TokenCacheSize", "zero")]
    [TestCase("TokenCacheSize", "above one million")]
    [TestCase("TokenAcquisitionTimeout", "below one second")]
    [TestCase("TokenAcquisitionTimeout", "above one day")]
    public void AddGraphAuthHandlers_InvalidSetting_FailsAtStartNamingIt(string setting, string variant)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("graph").AddGraphAuthHandlers(o =>
        {
            o.TokenSource = new FakeGraphTokenSource();
            switch (variant)
            {
                case "whitespace entry": o.Scopes.Add("  "); break;
                case "empty entry": o.AllowedHosts.Add(string.Empty); break;
                case "path": o.AllowedHosts.Add("graph.microsoft.com/v1.0"); break;
                case "not a host": o.AllowedHosts.Add("graph microsoft com"); break;
                case "above one hour": o.RefreshMargin = TimeSpan.FromMinutes(61); break;
                case "above 100 MiB": o.MaxReplayBufferBytes = (100L * 1024 * 1024) + 1; break;
                case "negative": o.MaxBatchResponseBytes = -1; break;
                case "zero": o.TokenCacheSize = 0; break;
                case "above one million": o.TokenCacheSize = 1_000_001; break;
                case "below one second": o.TokenAcquisitionTimeout = TimeSpan.FromMilliseconds(999); break;
                case "above one day": o.TokenAcquisitionTimeout = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1); break;
            }
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Message, Does.Contain(setting));
        Assert.That(ex.Message, Does.Match("'graph'|graph\\." + setting), "the message names the client");
    }

    // The ranges are [Range] attributes checked by the source-generated validator: its message gives the bounds.
    [TestCase("TokenCacheSize", "between 1 and 1000000")]
    [TestCase("TokenAcquisitionTimeout", "between 00:00:01 and 1.00:00:00")]
    [TestCase("RefreshMargin", "between 00:00:00 and 01:00:00")]
    public void AddGraphAuthHandlers_OutOfRange_MessageNamesTheSettingAndItsRange(string setting, string range)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("graph").AddGraphAuthHandlers(o =>
        {
            o.TokenSource = new FakeGraphTokenSource();
            o.TokenCacheSize = setting == "TokenCacheSize" ? 0 : o.TokenCacheSize;
            o.TokenAcquisitionTimeout = setting == "TokenAcquisitionTimeout" ? TimeSpan.Zero : o.TokenAcquisitionTimeout;
            o.RefreshMargin = setting == "RefreshMargin" ? TimeSpan.FromMinutes(-1) : o.RefreshMargin;
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<GraphAuthOptions>>().Get("graph"));

        Assert.That(ex!.Failures, Has.Exactly(1).Items, "each rule is checked once");
        Assert.That(ex.Failures.Single(), Does.Contain("graph." + setting).And.Contain(range));
    }

    [Test]
    public void AddGraphAuthHandlers_InvalidSetting_NoRequestIsEverSent()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o => o.Scopes.Clear());

        Assert.Throws<OptionsValidationException>(() => harness.CreateClient());
        Assert.That(harness.Graph.Sends, Is.Zero);
        Assert.That(source.CallCount, Is.Zero);
    }
}
