using GraphAuthResilience.Chain;
using Microsoft.Extensions.Time.Testing;

namespace GraphAuthResilience.Tests.Chain;

public class GraphAuthChainTests
{
    private const string KiotaObservabilityOptionsKey = "Microsoft.Kiota.Http.HttpClientLibrary.ObservabilityOptions";
    private const string MeUrl = "https://graph.microsoft.com/v1.0/me";

    [Test]
    public void RecordUnmetClaims_AWriterOvertakenBetweenReadAndSwap_RetriesAndNeitherUpdateIsLost()
    {
        // Writer A reads the (empty) list, then stops at its clock read until writer B has recorded in full; A then
        // tries to swap in a list built from what it read. A read-modify-write without a compare-and-swap drops B's record.
        var time = new InterleavingTime();
        var chain = new GraphAuthChain(time);
        using var requestA = KiotaRequest();
        using var requestB = KiotaRequest();
        time.PauseNextRead = true;

        var writerA = Task.Run(() => chain.RecordUnmetClaims(requestA, """{"a":1}""", "token-a"));
        Assert.That(time.Paused.Wait(TimeSpan.FromSeconds(10)), Is.True, "writer A reached its clock read");
        chain.RecordUnmetClaims(requestB, """{"b":1}""", "token-b");
        time.Resume.Set();
        Assert.That(writerA.Wait(TimeSpan.FromSeconds(10)), Is.True);

        Assert.That(time.Reads, Is.EqualTo(3), "writer A read the clock twice: once before it was overtaken, once on its retry");
        Assert.That(chain.TakeUnmetClaims(KiotaRequest(), "token-a"), Is.EqualTo("""{"a":1}"""));
        Assert.That(chain.TakeUnmetClaims(KiotaRequest(), "token-b"), Is.EqualTo("""{"b":1}"""), "B's record survived A's late write");
    }

    [Test]
    public void TakeUnmetClaims_SixteenConcurrentTakersOfOneRecord_ExactlyOneGetsIt()
    {
        var chain = new GraphAuthChain(new FakeTimeProvider(DateTimeOffset.UtcNow));
        for (var round = 0; round < 200; round++)
        {
            chain.RecordUnmetClaims(KiotaRequest(), """{"c":1}""", "token-c");
            using var start = new Barrier(16);
            var taken = 0;
            var takers = Enumerable.Range(0, 16).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    using var request = KiotaRequest();
                    start.SignalAndWait();
                    if (chain.TakeUnmetClaims(request, "token-c") is not null)
                    {
                        Interlocked.Increment(ref taken);
                    }
                },
                TaskCreationOptions.LongRunning)).ToArray();
            Task.WaitAll(takers);

            Assert.That(taken, Is.EqualTo(1), $"round {round}: one record, one answer");
        }
    }

    [Test]
    public void TakeUnmetClaims_AfterTenSecondsOnTheTimeProvider_RecordIsGone()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var chain = new GraphAuthChain(time);
        chain.RecordUnmetClaims(KiotaRequest(), """{"d":1}""", "token-d");

        time.Advance(TimeSpan.FromMilliseconds(GraphAuthChain.UnmetClaimsMilliseconds - 1));
        chain.RecordUnmetClaims(KiotaRequest(), """{"e":1}""", "token-e");
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.That(chain.TakeUnmetClaims(KiotaRequest(), "token-d"), Is.Null, "expired by the chain's clock, not the machine's");
        Assert.That(chain.TakeUnmetClaims(KiotaRequest(), "token-e"), Is.EqualTo("""{"e":1}"""));
    }

    [Test]
    public void TakeUnmetClaims_MessageNotBuiltByKiota_NothingTaken()
    {
        var chain = new GraphAuthChain(new FakeTimeProvider(DateTimeOffset.UtcNow));
        chain.RecordUnmetClaims(KiotaRequest(), """{"f":1}""", "token-f");
        using var plain = new HttpRequestMessage(HttpMethod.Get, MeUrl);

        Assert.That(chain.TakeUnmetClaims(plain, "token-f"), Is.Null);
        Assert.That(chain.TakeUnmetClaims(KiotaRequest(), "token-f"), Is.EqualTo("""{"f":1}"""), "the record is still there for the Kiota re-send");
    }

    private static HttpRequestMessage KiotaRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, MeUrl);
        ((IDictionary<string, object?>)request.Options)[KiotaObservabilityOptionsKey] = new object();
        return request;
    }

    /// <summary>A clock that can hold the next reader at its read until told to go on.</summary>
    private sealed class InterleavingTime : TimeProvider
    {
        private int _reads;

        public bool PauseNextRead { get; set; }

        public ManualResetEventSlim Paused { get; } = new();

        public ManualResetEventSlim Resume { get; } = new();

        public int Reads => Volatile.Read(ref _reads);

        public override DateTimeOffset GetUtcNow()
        {
            Interlocked.Increment(ref _reads);
            if (PauseNextRead)
            {
                PauseNextRead = false;
                Paused.Set();
                Resume.Wait(TimeSpan.FromSeconds(10));
            }

            return new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        }
    }
}
