using GraphAuthResilience.Tokens;

namespace GraphAuthResilience.Tests.Tokens;

public class BoundedTokenStoreTests
{
    private static readonly GraphScopeSet Scopes = GraphScopeSet.From(["https://graph.microsoft.com/.default"]);

    [Test]
    public void GetOrAdd_PastTheBound_EvictsTheOldestUnusedEntry()
    {
        var store = new BoundedTokenStore(2);
        var first = store.GetOrAdd(Key("a"), Scopes, out _);
        var second = store.GetOrAdd(Key("b"), Scopes, out _);

        var third = store.GetOrAdd(Key("c"), Scopes, out var evicted);

        Assert.That(evicted, Is.EqualTo(1));
        Assert.That(store.Count, Is.EqualTo(2));
        Assert.That(first.Evicted, Is.True);
        Assert.That(store.Find(Key("a")), Is.Null);
        Assert.That(store.Find(Key("b")), Is.SameAs(second));
        Assert.That(store.Find(Key("c")), Is.SameAs(third));
    }

    [Test]
    public void GetOrAdd_OldestWasUsedSince_ItGetsASecondChance()
    {
        var store = new BoundedTokenStore(2);
        var first = store.GetOrAdd(Key("a"), Scopes, out _);
        var second = store.GetOrAdd(Key("b"), Scopes, out _);
        first.Touch();

        store.GetOrAdd(Key("c"), Scopes, out _);

        Assert.That(first.Evicted, Is.False);
        Assert.That(second.Evicted, Is.True);
    }

    [Test]
    public void GetOrAdd_EntryWithAnAcquisitionInFlight_IsKept()
    {
        var store = new BoundedTokenStore(1);
        var pending = store.GetOrAdd(Key("a"), Scopes, out _);
        pending.Pending = new TokenFlight(false, false, new CancellationTokenSource());

        store.GetOrAdd(Key("b"), Scopes, out var evicted);

        Assert.That(pending.Evicted, Is.False);
        Assert.That(evicted, Is.Zero, "over the bound for a moment rather than dropping an entry others wait on");
    }

    [Test]
    public async Task GetOrAdd_EntryWhoseGateIsHeldElsewhere_IsPassedNotWaitedFor()
    {
        var store = new BoundedTokenStore(1);
        var busy = store.GetOrAdd(Key("a"), Scopes, out _);
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = Task.Run(() =>
        {
            lock (busy.Gate)
            {
                held.Set();
                release.Wait();
            }
        });
        held.Wait();

        // The entry's rule: its state changes under its gate. The evictor does not wait for a busy gate.
        var added = await Task.Run(() => store.GetOrAdd(Key("b"), Scopes, out _)).WaitAsync(TimeSpan.FromSeconds(30));
        release.Set();
        await holder;

        Assert.That(added, Is.Not.Null);
        Assert.That(busy.Evicted, Is.False);
    }

    [Test]
    public void Evicted_EntryFilledAfterwards_NeverServesAgain()
    {
        var store = new BoundedTokenStore(1);
        var entry = store.GetOrAdd(Key("a"), Scopes, out _);
        store.GetOrAdd(Key("b"), Scopes, out _);

        lock (entry.Gate)
        {
            entry.Fill(new GraphAccessToken("late", DateTimeOffset.UtcNow.AddHours(1)), new TokenDeadlines(long.MaxValue, long.MaxValue), null);
        }

        Assert.That(entry.Evicted, Is.True);
        Assert.That(entry.Fresh, Is.Null, "an acquisition that completes after the eviction answers its waiters only");
        Assert.That(entry.Token, Is.EqualTo("late"));
    }

    private static TokenCacheKey Key(string partition) => new(partition, Scopes.Key, null);
}
