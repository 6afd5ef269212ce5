using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.Tests.Reliability;

/// <summary>Every invalid setting fails at start, with a message naming the setting.</summary>
public class OptionsValidationTests
{
    [TestCase("MaxRetryAttempts", -1)]
    [TestCase("MaxRetryAttempts", 11)]
    [TestCase("MaxRetryAttempts", int.MinValue)]
    [TestCase("RetryDelay", -1)]
    [TestCase("MaxRetryAfter", -1)]
    [TestCase("AttemptTimeout", 0)]
    [TestCase("AttemptTimeout", -1)]
    public void ForClientCredentials_OutOfRangeSetting_ThrowsNamingTheSetting(string setting, int value)
    {
        var options = new MsalTokenSourceOptions();
        switch (setting)
        {
            case "MaxRetryAttempts": options.MaxRetryAttempts = value; break;
            case "RetryDelay": options.RetryDelay = TimeSpan.FromMilliseconds(value); break;
            case "MaxRetryAfter": options.MaxRetryAfter = TimeSpan.FromMilliseconds(value); break;
            case "AttemptTimeout": options.AttemptTimeout = TimeSpan.FromMilliseconds(value); break;
        }

        var app = new FakeEntraTokenEndpoint().CreateConfidentialClient();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => MsalTokenSource.ForClientCredentials(app, options));

        Assert.That(ex!.ParamName, Is.EqualTo(setting));
        Assert.That(ex.Message, Does.Contain(setting));
    }

    [Test]
    public void AllMsalFactories_NullTimeProvider_ThrowNamingTheSetting()
    {
        var options = new MsalTokenSourceOptions { TimeProvider = null! };
        var app = new FakeEntraTokenEndpoint().CreateConfidentialClient();

        var ex = Assert.Throws<ArgumentNullException>(() => MsalTokenSource.ForClientCredentials(app, options));
        Assert.That(ex!.ParamName, Is.EqualTo("TimeProvider"));
        Assert.Throws<ArgumentNullException>(() => MsalTokenSource.OnBehalfOf(app, _ => ValueTask.FromResult("a"), options));
    }

    [TestCase(0)]
    [TestCase(10)]
    public void ForClientCredentials_BoundaryRetryCounts_AreAccepted(int retries)
    {
        var app = new FakeEntraTokenEndpoint().CreateConfidentialClient();

        Assert.That(MsalTokenSource.ForClientCredentials(app, new MsalTokenSourceOptions { MaxRetryAttempts = retries, RetryDelay = TimeSpan.Zero, MaxRetryAfter = TimeSpan.Zero }), Is.Not.Null);
    }

    [TestCase("Scopes", "whitespace entry")]
    [TestCase("AllowedHosts", "empty entry")]
    [TestCase("AllowedHosts", "path")]
    [TestCase("AllowedHosts", "not a host")]
    [TestCase("RefreshMargin", "above one hour")]
    [TestCase("MaxReplayBufferBytes", "above 100 MiB")]
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
            }
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Message, Does.Contain(setting));
        Assert.That(ex.Message, Does.Match("'graph'|graph\\." + setting), "the message names the client");
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
