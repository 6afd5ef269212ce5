using GraphAuthResilience.Chain;
using Microsoft.Extensions.Time.Testing;

namespace GraphAuthResilience.Tests.Chain;

/// <summary><see cref="GraphAuthChain"/>'s unmet-claims records: every writer swaps an immutable array with a
/// compare-and-swap (no update lost under contention), and the records expire on the chain's <see cref="TimeProvider"/>.</summary>
public class GraphAuthChainTests
{
    private const string Claims = """{"access_token":{"nbf":{"essential":true,"value":"1702682181"}}}""";

    /// <summary>A message as Kiota's request adapter builds it (it puts its observability options in every message).</summary>
    private static HttpRequestMessage KiotaRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");
        ((IDictionary<string, object?>)request.Options)["Microsoft.Kiota.Http.HttpClientLibrary.ObservabilityOptions"] = new object();
        return request;
    }

    [Test]
    public async Task RecordUnmetClaims_EightWritersAtOnce_NoRecordLost()
    {
        for (var round = 0; round < 200; round++)
        {
            var chain = new GraphAuthChain(new FakeTimeProvider());
            using var start = new Barrier(8);
            var writers = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            {
                using var request = KiotaRequest();
                start.SignalAndWait();
                chain.RecordUnmetClaims(request, Claims, $"token-{i}");
            })).ToArray();
            await Task.WhenAll(writers);

            using var probe = KiotaRequest();
            var found = Enumerable.Range(0, 8).Count(i => chain.TakeUnmetClaims(probe, $"token-{i}") is not null);
            Assert.That(found, Is.EqualTo(8), $"round {round}: every writer's record is there");
            Assert.That(chain.TakeUnmetClaims(probe, "token-0"), Is.Null, "each record answers once");
        }
    }

    [Test]
    public void TakeUnmetClaims_AfterTheWindowOnTheChainsClock_Expired()
    {
        var time = new FakeTimeProvider();
        var chain = new GraphAuthChain(time);
        using var request = KiotaRequest();
        chain.RecordUnmetClaims(request, Claims, "token-a", "token-b");

        Assert.That(chain.TakeUnmetClaims(request, "token-a"), Is.EqualTo(Claims));
        time.Advance(TimeSpan.FromMilliseconds(GraphAuthChain.UnmetClaimsMilliseconds + 1));
        Assert.That(chain.TakeUnmetClaims(request, "token-b"), Is.Null, "expired on the FakeTimeProvider, not the machine's tick count");
    }
}
