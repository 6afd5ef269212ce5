using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests;

/// <summary>An access token with its lifetime: compared by value, and never shown in its text.</summary>
public class GraphAccessTokenTests
{
    private static readonly DateTimeOffset Expires = new(2026, 12, 7, 23, 0, 0, TimeSpan.Zero);

    [Test]
    public void ToString_Token_LifetimeWithoutTheValue()
    {
        var value = UnsignedJwt.Delegated("User.Read").Build();
        var token = new GraphAccessToken(value, Expires) { RefreshOn = Expires.AddMinutes(-30) };

        var text = token.ToString();

        Assert.That(text, Is.EqualTo("GraphAccessToken { Value = [redacted], ExpiresOn = 2026-12-07T23:00:00.0000000+00:00, RefreshOn = 2026-12-07T22:30:00.0000000+00:00 }"));
        Assert.That(text, Does.Not.Contain(value.Split('.')[1]));
        Assert.That($"{token}", Is.EqualTo(text), "interpolation uses the same text");
    }

    [Test]
    public void ToString_NoRefreshTime_SaysNone()
    {
        Assert.That(new GraphAccessToken("secret-value", Expires).ToString(), Does.EndWith("RefreshOn = none }").And.Not.Contain("secret-value"));
    }

    [Test]
    public void Equality_SameValueAndTimes_Equal()
    {
        var a = new GraphAccessToken("t", Expires) { RefreshOn = Expires.AddMinutes(-5) };
        var b = new GraphAccessToken("t", Expires) { RefreshOn = Expires.AddMinutes(-5) };

        Assert.That(a, Is.EqualTo(b));
        Assert.That(a with { RefreshOn = null }, Is.Not.EqualTo(b));
        Assert.That(a with { Value = "u" }, Is.Not.EqualTo(b));
    }
}
