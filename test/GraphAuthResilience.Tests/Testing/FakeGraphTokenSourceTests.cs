using GraphAuthResilience.Testing;
using Microsoft.Extensions.Time.Testing;

namespace GraphAuthResilience.Tests.Testing;

/// <summary>The Testing package's token source: records every request, numbers the tokens it makes, expires them on
/// its clock, and fails when told to.</summary>
public class FakeGraphTokenSourceTests
{
    [Test]
    public async Task GetTokenAsync_Requests_RecordedAndEachTokenNumbered()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 22, 0, 0, TimeSpan.Zero));
        var source = new FakeGraphTokenSource(time) { Lifetime = TimeSpan.FromMinutes(10) };
        var first = new GraphTokenRequest(["https://graph.microsoft.com/.default"]);
        var second = new GraphTokenRequest(["https://graph.microsoft.com/.default"]) { Claims = "{}" };

        var a = await source.GetTokenAsync(first, CancellationToken.None);
        var b = await source.GetTokenAsync(second, CancellationToken.None);

        Assert.That(source.Requests, Is.EqualTo(new[] { first, second }));
        Assert.That(source.CallCount, Is.EqualTo(2));
        Assert.That(source.LastToken, Is.EqualTo(b.Value));
        Assert.That(a.ExpiresOn, Is.EqualTo(time.GetUtcNow().AddMinutes(10)));
        Assert.That(a.Value, Is.Not.EqualTo(b.Value), "each token is its own");
        Assert.That(GraphTokenInfo.TryParse(a.Value, out var info), Is.True);
        Assert.That(info!.Roles, Is.EqualTo(new[] { "User.Read.All" }), "the default token: app-only with User.Read.All");
    }

    [Test]
    public async Task GetTokenAsync_TokenFactory_MakesTheTokens()
    {
        var source = new FakeGraphTokenSource { TokenFactory = (request, n) => $"token-{n}-{request.Scopes.Count}" };

        var token = await source.GetTokenAsync(new GraphTokenRequest(["a", "b"]), CancellationToken.None);

        Assert.That(token.Value, Is.EqualTo("token-1-2"));
    }

    [Test]
    public void GetTokenAsync_Failure_ThrownAndTheRequestStillRecorded()
    {
        var failure = new InvalidOperationException("token endpoint down");
        var source = new FakeGraphTokenSource { Failure = failure };

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(async () => await source.GetTokenAsync(new GraphTokenRequest(["a"]), CancellationToken.None));

        Assert.That(thrown, Is.SameAs(failure));
        Assert.That(source.CallCount, Is.EqualTo(1));
        Assert.That(source.LastToken, Is.Null);
    }

    [Test]
    public async Task GetTokenAsync_FailureFactory_FailsOnlyTheRequestsItChooses()
    {
        var source = new FakeGraphTokenSource { FailureFactory = r => r.Claims is null ? null : new InvalidOperationException("claims refused") };

        var plain = await source.GetTokenAsync(new GraphTokenRequest(["a"]), CancellationToken.None);

        Assert.That(plain.Value, Is.Not.Empty);
        Assert.ThrowsAsync<InvalidOperationException>(async () => await source.GetTokenAsync(new GraphTokenRequest(["a"]) { Claims = "{}" }, CancellationToken.None));
    }
}
