using GraphAuthResilience.Tokens;

namespace GraphAuthResilience.Tests.Tokens;

public class TokenRefreshScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private const long NowMs = 1_000_000;
    private readonly TokenRefreshSchedule _schedule = new(TimeSpan.FromMinutes(5));

    [Test]
    public void Compute_HourLongToken_RefreshesTheMarginBeforeExpiry()
    {
        var deadlines = _schedule.Compute(new GraphAccessToken("t", Now.AddHours(1)), Now, NowMs);

        Assert.That(deadlines.ExpiresAt, Is.EqualTo(NowMs + 3_600_000));
        Assert.That(deadlines.RefreshAt, Is.EqualTo(NowMs + 3_300_000));
    }

    [Test]
    public void Compute_SourceSaysRefreshEarlier_RefreshesThen()
    {
        var token = new GraphAccessToken("t", Now.AddHours(1)) { RefreshOn = Now.AddMinutes(30) };

        Assert.That(_schedule.Compute(token, Now, NowMs).RefreshAt, Is.EqualTo(NowMs + 1_800_000));
    }

    [Test]
    public void Compute_ExpiredOrNoExpiry_DeadlinesNowSoItIsNeverCached()
    {
        foreach (var expiry in new[] { Now.AddSeconds(-1), default, DateTimeOffset.MinValue })
        {
            var deadlines = _schedule.Compute(new GraphAccessToken("t", expiry), Now, NowMs);
            Assert.That(deadlines, Is.EqualTo(new TokenDeadlines(NowMs, NowMs)), expiry.ToString("O"));
        }
    }

    [Test]
    public void Compute_ExpiryYearsAway_CachedAtMostADay()
    {
        var deadlines = _schedule.Compute(new GraphAccessToken("t", DateTimeOffset.MaxValue), Now, NowMs);

        Assert.That(deadlines.ExpiresAt, Is.EqualTo(NowMs + (long)TokenRefreshSchedule.MaxLifetime.TotalMilliseconds));
    }

    [Test]
    public void Compute_LifetimeShorterThanTheMargin_RetriesAfterHalfTheLifetimeNotOnEveryRequest()
    {
        var deadlines = _schedule.Compute(new GraphAccessToken("t", Now.AddSeconds(40)), Now, NowMs);

        Assert.That(deadlines.ExpiresAt, Is.EqualTo(NowMs + 40_000));
        Assert.That(deadlines.RefreshAt, Is.EqualTo(NowMs + 20_000), "half of 40 s, under the 30 s retry interval");
    }

    [TestCase(1_000_000L, 500_000L)]
    [TestCase(100_000L, 30_000L)]
    [TestCase(0L, 0L)]
    public void Backoff_HalfTheRemainingLifetime_AtMostTheRetryInterval(long remaining, long expectedWait)
    {
        Assert.That(TokenRefreshSchedule.Backoff(NowMs + remaining, NowMs) - NowMs, Is.EqualTo(Math.Min(expectedWait, 30_000)));
    }
}
