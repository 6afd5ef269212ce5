using GraphAuthResilience.Batching;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Challenges;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>What the steps of one batch said, read once per distinct header value and per distinct token: a second
/// question about the same value gets the same reading (the same instance), another value gets its own.</summary>
public class BatchStepReadingsTests
{
    [Test]
    public void ClaimsOf_SameValueTwice_OneDecoding()
    {
        var readings = new BatchStepReadings();

        var first = readings.ClaimsOf(ChallengeSamples.CaeUnquoted);
        var second = readings.ClaimsOf(ChallengeSamples.CaeUnquoted);

        Assert.That(first, Is.EqualTo(ChallengeSamples.CaeUnquotedClaims));
        Assert.That(second, Is.SameAs(first));
    }

    [Test]
    public void ClaimsOf_AnotherValue_ItsOwnDecoding()
    {
        var readings = new BatchStepReadings();

        var cae = readings.ClaimsOf(ChallengeSamples.CaeUnquoted);
        var s25 = readings.ClaimsOf(ChallengeSamples.S25Header);

        Assert.That(cae, Is.EqualTo(ChallengeSamples.CaeUnquotedClaims));
        Assert.That(s25, Is.EqualTo(ChallengeSamples.S25Claims));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("Bearer realm=\"\", error=\"invalid_token\"")]
    public void ClaimsOf_NoClaimsChallenge_Null(string? value)
    {
        var readings = new BatchStepReadings();

        Assert.That(readings.ClaimsOf(value), Is.Null);
        Assert.That(readings.ClaimsOf(value), Is.Null, "a remembered absence stays absent");
    }

    [Test]
    public void TokenInfo_SameTokenTwice_OneReading()
    {
        var readings = new BatchStepReadings();
        var token = UnsignedJwt.Delegated("Mail.Read").Build();

        var first = readings.TokenInfo(token);

        Assert.That(first?.Scopes, Is.EqualTo(new[] { "Mail.Read" }));
        Assert.That(readings.TokenInfo(token), Is.SameAs(first));
        Assert.That(readings.TokenInfo(UnsignedJwt.AppOnly().WithRoles("Mail.Read").Build())?.Roles, Is.EqualTo(new[] { "Mail.Read" }), "another token, its own reading");
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("not-a-jwt")]
    public void TokenInfo_NoReadableJwt_Null(string? token)
    {
        Assert.That(new BatchStepReadings().TokenInfo(token), Is.Null);
    }
}
