using GraphAuthResilience.Testing;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.Tests;

/// <summary>Every invalid <see cref="MsalTokenSourceOptions"/> setting fails when the token source is made, with a
/// message naming the setting; the bounds themselves are accepted.</summary>
public class MsalTokenSourceOptionsTests
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
