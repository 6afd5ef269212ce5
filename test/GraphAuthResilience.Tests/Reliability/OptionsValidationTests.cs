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
        var ex = Assert.Throws<OptionsValidationException>(() => MsalTokenSource.ForClientCredentials(app, options));

        Assert.That(ex!.Failures.Single(), Does.Contain(setting));
    }

    [Test]
    public void AllMsalFactories_NullTimeProvider_ThrowNamingTheSetting()
    {
        var options = new MsalTokenSourceOptions { TimeProvider = null! };
        var app = new FakeEntraTokenEndpoint().CreateConfidentialClient();

        var ex = Assert.Throws<OptionsValidationException>(() => MsalTokenSource.ForClientCredentials(app, options));
        Assert.That(ex!.Failures.Single(), Does.Contain("TimeProvider"));
        Assert.Throws<OptionsValidationException>(() => MsalTokenSource.OnBehalfOf(app, _ => ValueTask.FromResult("a"), options));
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

    [Test]
    public void MsalTokenSourceOptions_EveryRuleBroken_OneValidationExceptionNamingEach()
    {
        var options = new MsalTokenSourceOptions
        {
            MaxRetryAttempts = 11,
            RetryDelay = TimeSpan.FromMilliseconds(-1),
            MaxRetryAfter = TimeSpan.FromDays(2),
            AttemptTimeout = TimeSpan.Zero,
            TimeProvider = null!,
        };

        var ex = Assert.Throws<OptionsValidationException>(() => MsalTokenSource.ForClientCredentials(new FakeEntraTokenEndpoint().CreateConfidentialClient(), options));

        Assert.That(ex!.Failures.Count(), Is.EqualTo(5));
        foreach (var setting in new[] { "MaxRetryAttempts", "RetryDelay", "MaxRetryAfter", "AttemptTimeout", "TimeProvider" })
        {
            Assert.That(ex.Message, Does.Contain(setting));
        }
    }
}
