using GraphAuthResilience.Testing;
using GraphAuthResilience.Demo.Fleet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GraphAuthResilience.Redis.Tests;

/// <summary>A fleet of instances (separate DI containers) sharing a real redis-server.</summary>
[TestFixture]
[NonParallelizable]
public sealed class FleetTests
{
    private const int Instances = 8;

    [Test]
    public async Task ColdStart_EightInstancesHundredConcurrentRequestsEach_OneTokenRequest()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(Instances);

        var failed = await fleet.LoadAllAsync(100);

        Assert.Multiple(() =>
        {
            Assert.That(failed, Is.Zero, "failed requests");
            Assert.That(fleet.TokenEndpoint.Posts, Is.EqualTo(1), "token requests for the whole fleet");
            Assert.That(fleet.Instances.SelectMany(i => i.SentTokens.Keys).Distinct().Count(), Is.EqualTo(1), "distinct tokens sent");
            Assert.That(fleet.Instances.Sum(i => i.SentTokens.Values.Sum()), Is.EqualTo(Instances * 100), "requests that carried a token");
        });
    }

    [Test]
    public async Task Revocation_SeenByOneInstance_OthersSendTheNewTokenAfterOneClaimsAcquisition()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(Instances);
        Assert.That(await fleet.LoadAllAsync(10), Is.Zero);
        await fleet.WaitUntilSharedAsync();
        var old = fleet.TokenEndpoint.IssuedTokens.Last();
        var postsBefore = fleet.TokenEndpoint.Posts;

        fleet.Graph.Revoke(old);
        var first = fleet.Instances[0];
        Assert.That(await first.LoadAsync(1), Is.EqualTo(1), "the instance that meets the revocation recovers (claims challenge met, replayed)");
        var fresh = fleet.TokenEndpoint.IssuedTokens.Last();
        Assert.That(fresh, Is.Not.EqualTo(old));

        // The news travels by pub/sub: wait until every other instance heard it and its chain's callback ran (Received
        // counts after the callbacks), so the chain has dropped the token (a wait, not a timing assertion).
        var others = fleet.Instances.Skip(1).ToList();
        await RedisFleetFixture.WaitUntilAsync(
            () => Task.FromResult(others.All(i => RedisFleetFixture.Channel(i).Received >= 1)), "every other instance heard of the rejected token");
        var sentOldBefore = fleet.Graph.Requests.Count(r => r.Carries(old));

        var failed = await fleet.LoadAllAsync(20, others);

        Assert.Multiple(() =>
        {
            Assert.That(failed, Is.Zero, "failed requests");
            Assert.That(fleet.TokenEndpoint.PostsWithClaims, Is.EqualTo(1), "claims acquisitions for the whole fleet");
            Assert.That(fleet.TokenEndpoint.Posts - postsBefore, Is.EqualTo(1), "token requests after the revocation");
            Assert.That(fleet.Graph.Requests.Count(r => r.Carries(old)), Is.EqualTo(sentOldBefore), "the revoked token was never sent again by the others");
            Assert.That(others.All(i => i.SentTokens.GetValueOrDefault(fresh) == 20), Is.True, "each other instance's next requests carried the new token");
        });
    }

    [Test]
    public async Task RedisStoppedMidLoad_NoRequestFails_AtMostOneTokenRequestPerInstance()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(Instances);
        Assert.That(await fleet.LoadAllAsync(10), Is.Zero);
        await fleet.WaitUntilSharedAsync(subscribed: false);
        Assert.That(fleet.TokenEndpoint.Posts, Is.EqualTo(1));

        // Load keeps running while Redis goes away; then the token is revoked, so every instance needs a new one.
        var load = Task.Run(async () =>
        {
            var failures = 0;
            for (var round = 0; round < 6; round++)
            {
                failures += await fleet.LoadAllAsync(25);
            }

            return failures;
        });
        await fleet.Redis.StopAsync();
        var failedDuringStop = await load;
        var postsBeforeRevocation = fleet.TokenEndpoint.Posts;
        fleet.Graph.Revoke(fleet.TokenEndpoint.IssuedTokens.Last());
        var failedDuringOutage = await fleet.LoadAllAsync(50);
        var postsDuringOutage = fleet.TokenEndpoint.Posts - postsBeforeRevocation;

        Assert.Multiple(() =>
        {
            Assert.That(failedDuringStop, Is.Zero, "requests failed while Redis was being stopped");
            Assert.That(failedDuringOutage, Is.Zero, "requests failed while Redis was down");
            Assert.That(postsDuringOutage, Is.InRange(1, Instances), "token requests during the outage: at most one per instance");
            Assert.That(fleet.Logs.Select(l => l.Entries.Count(e => e.Id.Id == 5000)), Is.All.EqualTo(1), "the outage is logged once per instance");
            var tokens = fleet.TokenEndpoint.IssuedTokens.ToList();
            Assert.That(
                fleet.Logs.SelectMany(l => l.Entries).Where(e => tokens.Any(t => e.Text.Contains(t[^24..], StringComparison.Ordinal))),
                Is.Empty,
                "log lines containing (the end of) a token");
        });
    }

    [Test]
    public async Task RedisBackAfterAnOutage_RevocationIsSharedAgain()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(Instances);
        Assert.That(await fleet.LoadAllAsync(10), Is.Zero);
        await fleet.WaitUntilSharedAsync();
        var token = fleet.TokenEndpoint.IssuedTokens.Last();

        // An outage under load: the instances carry on with the token they hold.
        await fleet.Redis.StopAsync();
        Assert.That(await fleet.LoadAllAsync(20), Is.Zero, "failed requests during the outage");

        // Redis back, empty (no persistence: also what a flushed Redis looks like), then a revoked session.
        await fleet.Redis.StartAsync();
        await AssertRevocationSharedAsync(fleet, token);

        Assert.Multiple(() =>
        {
            // Only an instance that needed Redis during the outage noticed it: it logged the outage once and its end once.
            for (var n = 0; n < Instances; n++)
            {
                var entries = fleet.Logs[n].Entries.ToList();
                var outages = entries.Count(e => e.Id.Id == 5000);
                Assert.That(outages, Is.AtMost(1), $"instance {n + 1}: outage logged at most once");
                Assert.That(entries.Count(e => e.Id.Id == 5001), Is.EqualTo(outages), $"instance {n + 1}: a noticed outage's end logged once");
            }
        });
    }

    [Test]
    public async Task RedisBackWithinTheRetryInterval_RevocationIsSharedAtOnce()
    {
        // Every instance leaves Redis alone for 5 minutes after a failure, unless its connection comes back first.
        await using var fleet = await RedisFleetFixture.StartAsync(0);
        var settings = fleet.Settings with { RetryInterval = TimeSpan.FromMinutes(5) };
        for (var n = 0; n < 3; n++)
        {
            fleet.AddInstance(settings);
        }

        Assert.That(await fleet.LoadAllAsync(10), Is.Zero);
        await fleet.WaitUntilSharedAsync();
        var token = fleet.TokenEndpoint.IssuedTokens.Last();

        // An outage every instance notices (any Redis operation would; here a ping), then carries on in-process.
        await fleet.Redis.StopAsync();
        foreach (var instance in fleet.Instances)
        {
            var redis = instance.Services.GetRequiredService<RedisConnection>();
            Assert.That(await redis.RunAsync(async db => (await db.PingAsync()) >= TimeSpan.Zero, false, CancellationToken.None), Is.False, "a ping during the outage");
        }

        Assert.That(fleet.Logs.Select(l => l.Entries.Count(e => e.Id.Id == 5000)), Is.All.EqualTo(1), "every instance noticed the outage");
        Assert.That(await fleet.LoadAllAsync(10), Is.Zero, "failed requests during the outage");

        // Redis back, minutes before the retry interval ends: the restored connection ends the quiet period, so the
        // next revocation is met with one claims acquisition for the fleet and the news reaches the others.
        await fleet.Redis.StartAsync();
        await AssertRevocationSharedAsync(fleet, token);
        Assert.That(fleet.Logs.Select(l => l.Entries.Count(e => e.Id.Id == 5001)), Is.All.EqualTo(1), "every instance logged the outage's end once");
    }

    [Test]
    public async Task LeaseHolderDies_WaitingInstance_AcquiresItsOwnAfterTheLeaseExpires()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(1);
        var instance = fleet.Instances[0];
        await fleet.WaitUntilSharedAsync(subscribed: false);

        // A holder that died: its lease (for the default scope, no claims, not forced) is there, its outcome never
        // comes. It lives until the instance is seen waiting for it, then Redis expires it: no race with the clock.
        var redis = instance.Services.GetRequiredService<RedisConnection>();
        var leaseName = FleetTokenSource.LeaseName(new GraphTokenRequest([GraphAuthOptions.DefaultScope]));
        var lease = $"{fleet.Settings.KeyPrefix}:lease:graph:{leaseName}";
        var taken = await redis.RunAsync(
            db => db.StringSetAsync(lease, Guid.NewGuid().ToString("N"), TimeSpan.FromMinutes(1), When.NotExists),
            false,
            CancellationToken.None);
        Assert.That(taken, Is.True, "the dead holder's lease was planted");

        var load = instance.LoadAsync(10);
        await RedisFleetFixture.WaitUntilAsync(
            () => Task.FromResult(fleet.Logs[0].Entries.Any(e => e.Id.Id == 5008)), "the instance waits for the dead holder's lease");
        Assert.That(fleet.TokenEndpoint.Posts, Is.Zero, "no token request while the lease is held");
        var expiring = await redis.RunAsync(db => db.KeyExpireAsync(lease, TimeSpan.FromMilliseconds(50)), false, CancellationToken.None);
        Assert.That(expiring, Is.True, "the dead holder's lease set to expire");

        Assert.That(await load, Is.EqualTo(10));
        Assert.That(fleet.TokenEndpoint.Posts, Is.EqualTo(1));
        Assert.That(fleet.Logs[0].Entries.Count(e => e.Id.Id == 5004), Is.EqualTo(1), "fell back to its own acquisition once");
    }

    [Test]
    public async Task NoRedisAtStart_Requests_SucceedInProcessAndTheOutageIsLoggedOnce()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(0);
        await fleet.Redis.StopAsync();
        var a = fleet.AddInstance();
        var b = fleet.AddInstance();

        Assert.That(await fleet.LoadAllAsync(50), Is.Zero);
        Assert.That(fleet.TokenEndpoint.Posts, Is.EqualTo(2), "one token request per instance");
        Assert.That(fleet.Logs.Select(l => l.Entries.Count(e => e.Id.Id == 5000 && e.Level == LogLevel.Warning)), Is.All.EqualTo(1));
        GC.KeepAlive((a, b));
    }

    [Test]
    public async Task SharedTokenCache_InRedis_IsEncrypted()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(2);
        Assert.That(await fleet.LoadAllAsync(5), Is.Zero);
        var token = fleet.TokenEndpoint.IssuedTokens.Last();

        var redis = fleet.Instances[0].Services.GetRequiredService<RedisConnection>();
        var multiplexer = await redis.ConnectionTask;
        var server = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
        var keys = server.Keys(pattern: fleet.Settings.KeyPrefix + ":msal:*").ToList();
        Assert.That(keys, Has.Count.EqualTo(1), "one shared MSAL cache entry (the app token cache)");
        var stored = await multiplexer.GetDatabase().HashGetAllAsync(keys[0]);
        var text = string.Join("\n", stored.Select(e => System.Text.Encoding.UTF8.GetString((byte[])e.Value!)));

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Not.Contain(token[..40]), "the token in clear");
            Assert.That(text, Does.Not.Contain("AccessToken"), "MSAL's cache JSON in clear");
            Assert.That(text, Does.Not.Contain("secret"));
        });
    }

    /// <summary>Redis is back (maybe empty: what a restart without persistence or a flush looks like). Graph revokes
    /// <paramref name="token"/>; the first instance meets the claims challenge; once the others heard the news over
    /// the restored subscription they send only the new token: one token request for the whole fleet, with claims.</summary>
    private static async Task AssertRevocationSharedAsync(RedisFleetFixture fleet, string token)
    {
        await fleet.WaitUntilSharedAsync();
        var posts = fleet.TokenEndpoint.Posts;
        fleet.Graph.Revoke(token);
        Assert.That(await fleet.Instances[0].LoadAsync(1), Is.EqualTo(1), "the instance that met the revocation recovered");
        var fresh = fleet.TokenEndpoint.IssuedTokens.Last();
        var others = fleet.Instances.Skip(1).ToList();
        await RedisFleetFixture.WaitUntilAsync(
            () => Task.FromResult(others.All(i => RedisFleetFixture.Channel(i).Received >= 1)), "every other instance heard the news over the restored subscription");
        others.ForEach(i => i.SentTokens.Clear());

        var failed = await fleet.LoadAllAsync(20, others);

        Assert.Multiple(() =>
        {
            Assert.That(failed, Is.Zero, "failed requests after Redis came back");
            Assert.That(fleet.TokenEndpoint.Posts - posts, Is.EqualTo(1), "token requests for the fleet after Redis came back");
            Assert.That(fleet.TokenEndpoint.PostsWithClaims, Is.EqualTo(1), "claims acquisitions");
            Assert.That(others.All(i => i.SentTokens.Keys.SequenceEqual([fresh])), Is.True, "the others sent the token shared through Redis");
        });
    }
}
