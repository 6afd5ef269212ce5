using System.Collections.Concurrent;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Permissions;

public class PermissionUseQueueTests
{
    private static readonly Uri Me = new("https://graph.microsoft.com/v1.0/me");
    private static readonly TokenPermissions Token = new GraphPermissionUsage().TokenFor(UnsignedJwt.Delegated("User.Read").Build());

    [Test]
    public void Constructor_CapacityNotAPowerOfTwoOrBelowTheBatch_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PermissionUseQueue(1000, (_, _, _, _) => { }, _ => { }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PermissionUseQueue(PermissionUseQueue.DrainBatch / 2, (_, _, _, _) => { }, _ => { }));
    }

    [Test]
    public void Drain_AfterAdds_CountsEachAnswerOnceInOrder()
    {
        var counted = new List<int>();
        var queue = new PermissionUseQueue(PermissionUseQueue.DrainBatch, (_, _, _, status) => { lock (counted) { counted.Add(status); } }, _ => { });

        for (var i = 0; i < 10; i++)
        {
            Assert.That(queue.TryAdd("GET", Me, Token, i), Is.True);
        }

        queue.Drain();
        queue.Drain();

        Assert.That(counted, Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.That(queue.Waiting, Is.Zero);
    }

    [Test]
    public void TryAdd_RingFull_RefusesUntilDrained()
    {
        var counted = 0;
        var queue = new PermissionUseQueue(PermissionUseQueue.DrainBatch, (_, _, _, _) => Interlocked.Increment(ref counted), _ => { });
        var refused = 0;

        // Fill the ring while its drain (scheduled on the thread pool) may or may not have run: every answer is
        // either accepted or refused (and would then be counted by the caller), never both, never neither.
        for (var i = 0; i < 4 * PermissionUseQueue.DrainBatch; i++)
        {
            if (!queue.TryAdd("GET", Me, Token, 200))
            {
                refused++;
            }
        }

        queue.Drain();
        Assert.That(Volatile.Read(ref counted) + refused, Is.EqualTo(4 * PermissionUseQueue.DrainBatch));
        Assert.That(queue.TryAdd("GET", Me, Token, 200), Is.True, "a drained ring takes answers again");
    }

    [Test]
    public async Task TryAdd_ManyProducersAtOnce_NoAnswerLostOrCountedTwice()
    {
        var seen = new ConcurrentDictionary<int, int>();
        var queue = new PermissionUseQueue(
            PermissionUseQueue.DrainBatch, (_, _, _, status) => seen.AddOrUpdate(status, 1, (_, n) => n + 1), _ => { });
        const int Producers = 8;
        const int Each = 5_000;
        var refused = new ConcurrentBag<int>();

        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < Each; i++)
            {
                var id = (p * Each) + i;
                if (!queue.TryAdd("GET", Me, Token, id))
                {
                    refused.Add(id); // what the caller then counts itself
                }
            }
        })));
        queue.Drain();

        foreach (var id in refused)
        {
            Assert.That(seen.TryAdd(id, 1), Is.True, $"answer {id} was refused and counted");
        }

        Assert.That(seen.Count, Is.EqualTo(Producers * Each), "every answer counted");
        Assert.That(seen.Values.All(n => n == 1), Is.True, "none counted twice");
    }

    [Test]
    public void Drain_CountThrows_ReportsTheFailureAndGoesOn()
    {
        var failures = new List<Exception>();
        var counted = new List<int>();
        var queue = new PermissionUseQueue(
            PermissionUseQueue.DrainBatch,
            (_, _, _, status) => { if (status == 1) { throw new InvalidOperationException("boom"); } counted.Add(status); },
            failures.Add);
        queue.TryAdd("GET", Me, Token, 0);
        queue.TryAdd("GET", Me, Token, 1);
        queue.TryAdd("GET", Me, Token, 2);

        queue.Drain();

        Assert.That(counted, Is.EqualTo(new[] { 0, 2 }));
        Assert.That(failures, Has.Count.EqualTo(1));
    }

    [Test]
    public void GetReport_AnswersWaitingInTheQueue_AreInTheReport()
    {
        var usage = new GraphPermissionUsage();
        for (var i = 0; i < 3; i++)
        {
            usage.Record("GET", Me, Token, 200);
        }

        var waitingBefore = usage.Waiting;
        var report = usage.GetReport();

        Assert.That(waitingBefore, Is.EqualTo(3), "handed over, not counted yet: the request paid only the hand-over");
        Assert.That(report.Operations.Single(o => o.PathTemplate == "/me").Count, Is.EqualTo(3));
        Assert.That(usage.Waiting, Is.Zero);
    }
}
