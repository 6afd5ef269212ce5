using GraphAuthResilience.Demo.Fleet;
using GraphAuthResilience.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GraphAuthResilience.Redis.Tests;

/// <summary>
/// What someone with write access to the fleet's Redis can plant at its keys (large values, values of the wrong
/// kind, entries moved between keys), against a real redis-server. Bytes read are measured on the server
/// (<c>INFO stats</c> <c>total_net_output_bytes</c>), so the numbers are what crossed the wire.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class HostileRedisDataTests
{
    private const int Planted = 8 * 1024 * 1024;
    private const int BadDataEvent = 5011;
    private const int RedisUnavailableEvent = 5000;

    [Test]
    public async Task LeaseWait_LargeValuePlantedAtTheLeaseKey_ReadsABoundedAmountAndAcquiresOnceLoggedAsBadData()
    {
        await using var parts = await LeaseParts.StartAsync();
        var request = new GraphTokenRequest(["https://graph.microsoft.com/.default"]);
        await parts.Admin.StringSetAsync(parts.LeaseKey(request), new byte[Planted]);

        var before = await parts.BytesSentByServerAsync();
        var token = await parts.Source.GetTokenAsync(request, CancellationToken.None);
        var read = await parts.BytesSentByServerAsync() - before;
        TestContext.Out.WriteLine($"Redis bytes read for one acquisition with {Planted:N0} bytes planted at the lease key: {read:N0}");

        Assert.Multiple(() =>
        {
            Assert.That(token.Value, Is.Not.Empty);
            Assert.That(parts.Inner.CallCount, Is.EqualTo(1), "acquisitions");
            Assert.That(read, Is.LessThan(64 * 1024), "bytes the server sent for the acquisition");
            Assert.That(parts.Logged(BadDataEvent), Is.EqualTo(1), "the planted value is logged as bad data");
            Assert.That(parts.Logged(RedisUnavailableEvent), Is.Zero, "not as Redis unavailable");
        });
        Assert.That((long)await parts.Admin.StringLengthAsync(parts.LeaseKey(request)), Is.LessThan(Planted), "the planted value is gone");
    }

    [Test]
    public async Task LeaseWait_LargeValuePlantedAtTheOutcomeKey_ReadsABoundedAmountWhileItWaits()
    {
        await using var parts = await LeaseParts.StartAsync();
        var request = new GraphTokenRequest(["https://graph.microsoft.com/.default"]);

        // Another instance holds the lease (a well-formed holder that expires, as a dead holder's does); its outcome
        // key holds a large value.
        await parts.Admin.StringSetAsync(parts.LeaseKey(request), Guid.NewGuid().ToString("N"), TimeSpan.FromMilliseconds(600));
        await parts.Admin.StringSetAsync(parts.LeaseKey(request).Append(":done"), new byte[Planted]);

        var before = await parts.BytesSentByServerAsync();
        var token = await parts.Source.GetTokenAsync(request, CancellationToken.None);
        var read = await parts.BytesSentByServerAsync() - before;
        TestContext.Out.WriteLine($"Redis bytes read for one lease wait with {Planted:N0} bytes planted at the outcome key: {read:N0}");

        Assert.Multiple(() =>
        {
            Assert.That(token.Value, Is.Not.Empty);
            Assert.That(parts.Inner.CallCount, Is.EqualTo(1), "acquisitions");
            Assert.That(read, Is.LessThan(64 * 1024), "bytes the server sent for the wait");
            Assert.That(parts.Logged(BadDataEvent), Is.EqualTo(1), "the planted outcome is logged as bad data");
            Assert.That(parts.Logged(RedisUnavailableEvent), Is.Zero, "not as Redis unavailable");
        });
    }

    [Test]
    public async Task SharedCache_StringWhereTheAdapterKeepsAHash_RepairedOnTheNextWriteLoggedAsBadData()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(1);
        Assert.That(await fleet.LoadAllAsync(1), Is.Zero);
        var admin = await ConnectionMultiplexer.ConnectAsync(fleet.Redis.Configuration + ",allowAdmin=true");
        await using var _ = admin;
        var keys = await CacheKeysAsync(admin, fleet.Settings.KeyPrefix);
        Assert.That(keys, Is.Not.Empty, "MSAL's cache entries in Redis");
        foreach (var key in keys)
        {
            await admin.GetDatabase().StringSetAsync(key, "not a hash");
        }

        // A new instance has nothing in-process: it reads Redis, meets the string, acquires, and writes.
        var second = fleet.AddInstance();
        Assert.That(await second.LoadAsync(1), Is.EqualTo(1));
        var repaired = await Task.WhenAll(keys.Select(k => admin.GetDatabase().KeyTypeAsync(k)));

        // A third instance is served from the repaired shared cache, with no token request of its own.
        var posts = fleet.TokenEndpoint.Posts;
        var third = fleet.AddInstance();
        Assert.That(await third.LoadAsync(1), Is.EqualTo(1));

        Assert.Multiple(() =>
        {
            Assert.That(repaired, Is.All.EqualTo(RedisType.Hash), "the entry is a hash again after the next write");
            Assert.That(fleet.Logs[1].Entries.Count(e => e.Id.Id == BadDataEvent), Is.GreaterThanOrEqualTo(1), "logged as bad data");
            Assert.That(fleet.Logs[1].Entries.Count(e => e.Id.Id == RedisUnavailableEvent), Is.Zero, "not as Redis unavailable");
            Assert.That(fleet.TokenEndpoint.Posts, Is.EqualTo(posts), "the third instance's token came from the shared cache");
        });
    }

    [Test]
    public async Task SharedCache_OversizedEntry_IsNotReadWholeAndIsReplacedOnTheNextWrite()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(1);
        Assert.That(await fleet.LoadAllAsync(1), Is.Zero);
        var admin = await ConnectionMultiplexer.ConnectAsync(fleet.Redis.Configuration + ",allowAdmin=true");
        await using var _ = admin;
        var keys = await CacheKeysAsync(admin, fleet.Settings.KeyPrefix);
        foreach (var key in keys)
        {
            await admin.GetDatabase().HashSetAsync(key, "data", new byte[Planted]);
        }

        var before = await BytesSentByServerAsync(admin);
        var second = fleet.AddInstance();
        Assert.That(await second.LoadAsync(1), Is.EqualTo(1));
        var read = await BytesSentByServerAsync(admin) - before;
        TestContext.Out.WriteLine($"Redis bytes read by a new instance's first request with {Planted:N0} bytes planted in the cache entry: {read:N0}");
        var lengths = await Task.WhenAll(keys.Select(k => admin.GetDatabase().HashStringLengthAsync(k, "data")));

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.LessThan(Planted), "the planted entry was never read whole");
            Assert.That(lengths, Is.All.LessThan(FleetDistributedCache.MaxEntryBytes), "the next write replaced it");
            Assert.That(fleet.Logs[1].Entries.Count(e => e.Id.Id == BadDataEvent), Is.GreaterThanOrEqualTo(1), "logged as bad data");
        });
    }

    [Test]
    public async Task SharedCache_EncryptedEntryCopiedToAnotherKey_ReadsAsAMiss()
    {
        await using var parts = await LeaseParts.StartAsync();
        var redisCache = new RedisCache(Options.Create(new RedisCacheOptions
        {
            ConnectionMultiplexerFactory = () => parts.Connection.ConnectionTask,
            InstanceName = FleetDistributedCache.InstanceName(parts.Connection.Options),
        }));
        var cache = new FleetDistributedCache(redisCache, parts.Connection, new EphemeralDataProtectionProvider());
        byte[] entry = [1, 2, 3, 4];
        await cache.SetAsync("tenant-a", entry, new DistributedCacheEntryOptions());

        // Someone with write access copies tenant a's encrypted entry to tenant b's key.
        var prefix = FleetDistributedCache.InstanceName(parts.Connection.Options);
        var fields = await parts.Admin.HashGetAllAsync(prefix + "tenant-a");
        await parts.Admin.HashSetAsync(prefix + "tenant-b", fields);

        // A second cache (no in-process copy) reads both.
        var reader = new FleetDistributedCache(redisCache, parts.Connection, ProtectionOf(cache));
        Assert.Multiple(async () =>
        {
            Assert.That(await reader.GetAsync("tenant-a"), Is.EqualTo(entry), "the entry under its own key");
            Assert.That(await reader.GetAsync("tenant-b"), Is.Null, "the same ciphertext under another key");
        });
    }

    private static IDataProtectionProvider ProtectionOf(FleetDistributedCache cache) => cache.Protection;

    private static async Task<List<RedisKey>> CacheKeysAsync(IConnectionMultiplexer admin, string keyPrefix)
    {
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        var keys = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: keyPrefix + ":msal:*"))
        {
            keys.Add(key);
        }

        return keys;
    }

    private static async Task<long> BytesSentByServerAsync(IConnectionMultiplexer admin)
    {
        var info = await admin.GetServer(admin.GetEndPoints()[0]).InfoAsync("stats");
        return long.Parse(info.SelectMany(g => g).Single(p => p.Key == "total_net_output_bytes").Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A real redis-server, one instance's connection and lease over a fake token source, and an admin connection.</summary>
    private sealed class LeaseParts : IAsyncDisposable
    {
        private LeaseParts(RedisServer server, IConnectionMultiplexer admin)
        {
            Server = server;
            AdminConnection = admin;
            Loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
            Connection = new RedisConnection(
                Options.Create(new GraphAuthRedisOptions
                {
                    Configuration = server.Configuration,
                    KeyPrefix = "hostile-" + Guid.NewGuid().ToString("N")[..8],
                    OperationTimeout = TimeSpan.FromSeconds(5),
                    MaxLeaseWait = TimeSpan.FromSeconds(1),
                }),
                null,
                Loggers);
            Source = new FleetTokenSource(Inner, Connection, "default");
        }

        public RedisServer Server { get; }

        public IConnectionMultiplexer AdminConnection { get; }

        public IDatabase Admin => AdminConnection.GetDatabase();

        public RecordingLoggerProvider Logs { get; } = new();

        public ILoggerFactory Loggers { get; }

        public RedisConnection Connection { get; }

        public FakeGraphTokenSource Inner { get; } = new();

        public FleetTokenSource Source { get; }

        public static async Task<LeaseParts> StartAsync()
        {
            var server = await RedisServer.TryStartAsync();
            if (server is null)
            {
                Assert.Ignore(RedisServer.InstallHint);
            }

            var admin = await ConnectionMultiplexer.ConnectAsync(server!.Configuration + ",allowAdmin=true");
            var parts = new LeaseParts(server, admin);
            _ = await parts.Connection.GetAsync(CancellationToken.None); // connected before anything is measured
            return parts;
        }

        public RedisKey LeaseKey(GraphTokenRequest request) =>
            $"{Connection.Options.KeyPrefix}:lease:default:{FleetTokenSource.LeaseName(request)}";

        public int Logged(int id) => Logs.Entries.Count(e => e.Id.Id == id);

        public Task<long> BytesSentByServerAsync() => HostileRedisDataTests.BytesSentByServerAsync(AdminConnection);

        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            await AdminConnection.DisposeAsync();
            Loggers.Dispose();
            await Server.DisposeAsync();
        }
    }
}
