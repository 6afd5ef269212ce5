using System.Security.Cryptography;
using System.Text;
using GraphAuthResilience.Demo.Fleet;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace GraphAuthResilience.Redis.Tests;

/// <summary>
/// The rejection channel over Redis: a published hash reaches the other instances (not the publisher), anything but a
/// hash is refused, a throwing subscriber does not stop the others; and the channel keeps its subscription from what it
/// observes: a subscription lost while the connection stays
/// up is made again by the channel's timer (no request needs to touch Redis), and one StackExchange.Redis restores
/// by itself after a reconnect is left alone. The listener runs on a fake clock, so its timer moves only when a test
/// advances it; Redis is a real redis-server.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RedisTokenRejectionChannelTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);

    [Test]
    public async Task RejectionChannel_PublishedHash_ReachesOtherInstancesNotThePublisher()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(3);
        var heard = fleet.Instances.Select(_ => new List<string>()).ToList();
        var registrations = fleet.Instances.Select((instance, n) => instance.Services.GetRequiredService<IGraphTokenRejectionChannel>()
            .Subscribe(hash =>
            {
                lock (heard[n])
                {
                    heard[n].Add(hash);
                }
            })).ToList();
        await fleet.WaitUntilSharedAsync();
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("a-token"))).ToLowerInvariant();

        await fleet.Instances[0].Services.GetRequiredService<IGraphTokenRejectionChannel>().PublishAsync(hash, CancellationToken.None);
        await RedisFleetFixture.WaitUntilAsync(
            () => Task.FromResult(fleet.Instances.Skip(1).All(i => RedisFleetFixture.Channel(i).Received == 1) && heard.Skip(1).All(Heard)),
            "both other instances heard the hash and called their subscribers");

        static bool Heard(List<string> list)
        {
            lock (list)
            {
                return list.Count > 0;
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(heard[1], Is.EqualTo(new[] { hash }));
            Assert.That(heard[2], Is.EqualTo(new[] { hash }));
            Assert.That(heard[0], Is.Empty, "the publisher does not hear its own news");
        });
        registrations.ForEach(r => r.Dispose());
    }

    [Test]
    public async Task RejectionChannel_SomethingElseThanAHash_IsRefused()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(1);
        var channel = fleet.Instances[0].Services.GetRequiredService<IGraphTokenRejectionChannel>();

        Assert.That(async () => await channel.PublishAsync(UnsignedJwt.AppOnly().Build(), CancellationToken.None), Throws.ArgumentException);
        Assert.That(async () => await channel.PublishAsync("", CancellationToken.None), Throws.ArgumentException);
    }

    [Test]
    public async Task RejectionChannel_ThrowingSubscriber_DoesNotStopTheOthers()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(2);
        var channel = fleet.Instances[1].Services.GetRequiredService<IGraphTokenRejectionChannel>();
        var heard = 0;
        using var throwing = channel.Subscribe(_ => throw new InvalidOperationException("subscriber bug"));
        using var counting = channel.Subscribe(_ => Interlocked.Increment(ref heard));
        using var publisherSide = fleet.Instances[0].Services.GetRequiredService<IGraphTokenRejectionChannel>().Subscribe(_ => { });
        await fleet.WaitUntilSharedAsync();

        await fleet.Instances[0].Services.GetRequiredService<IGraphTokenRejectionChannel>()
            .PublishAsync(new string('a', 64), CancellationToken.None);
        await RedisFleetFixture.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref heard) == 1), "the second subscriber heard the hash");

        Assert.That(fleet.Logs[1].Entries.Count(e => e.Id.Id == 5007), Is.EqualTo(1), "the throwing subscriber is logged");
    }

    [Test]
    public async Task RejectionChannel_SubscriptionLostWhileConnected_TimerSubscribesAgainWithoutAnyRequest()
    {
        await using var parts = await Parts.StartAsync();
        var listener = parts.Listener;
        var multiplexer = await parts.ListenerConnection.ConnectionTask;
        await RedisFleetFixture.WaitUntilAsync(() => Task.FromResult(listener.IsSubscribed), "the listener subscribed");

        // Behind the channel's back, the subscription goes while the connection stays up: no reconnect, no restore
        // event, nothing StackExchange.Redis will make again by itself.
        await multiplexer.GetSubscriber().UnsubscribeAsync(parts.RedisChannel);
        Assert.Multiple(() =>
        {
            Assert.That(listener.IsSubscribed, Is.False, "the subscription is gone");
            Assert.That(multiplexer.IsConnected, Is.True, "the connection is still up");
        });

        // Only the listener's clock moves (one check interval per look); nothing sends a request through its Redis.
        await RedisFleetFixture.WaitUntilAsync(
            () =>
            {
                parts.Time.Advance(listener.CheckInterval);
                return Task.FromResult(listener.IsSubscribed);
            },
            "the listener's timer subscribed again");
        await RedisFleetFixture.WaitUntilAsync(
            () =>
            {
                parts.Time.Advance(listener.CheckInterval);
                return Task.FromResult(parts.Logged(5010) == 1);
            },
            "the listener's timer saw the subscription in place and logged it");

        var heard = await parts.PublishAndHearAsync(["1", "2"]);

        Assert.Multiple(() =>
        {
            Assert.That(heard, Is.EquivalentTo(new[] { Parts.Hash("1"), Parts.Hash("2") }), "each report heard once: the handler was taken out before it was added again");
            Assert.That(listener.SubscribeAttempts, Is.GreaterThanOrEqualTo(2), "the first subscription and at least one repair");
            Assert.That(parts.Logged(5009), Is.EqualTo(1), "the loss is logged once");
        });
    }

    [Test]
    public async Task RejectionChannel_SubscriptionConnectionKilled_RestoredByTheClientWithoutChurn()
    {
        await using var parts = await Parts.StartAsync();
        var listener = parts.Listener;
        var multiplexer = await parts.ListenerConnection.ConnectionTask;
        var restored = 0;
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                Interlocked.Increment(ref restored);
            }
        };
        await RedisFleetFixture.WaitUntilAsync(() => Task.FromResult(listener.IsSubscribed), "the listener subscribed");
        Assert.That(listener.SubscribeAttempts, Is.EqualTo(1));

        // The server drops every subscription connection; StackExchange.Redis reconnects and subscribes again.
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(parts.Server.Configuration + ",allowAdmin=true"))
        {
            var killed = await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
            Assert.That((long)killed, Is.GreaterThanOrEqualTo(1), "the listener's subscription connection was killed");
        }

        // The listener's clock stands still: its timer never fires, so only the client can have restored it.
        await RedisFleetFixture.WaitUntilAsync(
            () => Task.FromResult(Volatile.Read(ref restored) >= 1 && listener.IsSubscribed),
            "the client reconnected its subscription connection and subscribed again");
        var heard = await parts.PublishAndHearAsync(["after-kill"]);

        Assert.Multiple(() =>
        {
            Assert.That(heard, Is.EqualTo(new[] { Parts.Hash("after-kill") }));
            Assert.That(listener.SubscribeAttempts, Is.EqualTo(1), "no unsubscribe/subscribe of our own on a reconnect the client repaired");
            Assert.That(parts.Logged(5009), Is.Zero);
        });
    }

    [Test]
    public async Task RejectionChannel_ClientsOwnRestoreRefused_TimerSubscribesAgainOnceAllowed()
    {
        await using var parts = await Parts.StartAsync();
        var listener = parts.Listener;
        await RedisFleetFixture.WaitUntilAsync(() => Task.FromResult(listener.IsSubscribed), "the listener subscribed");
        var channelName = parts.RedisChannel.ToString();
        await using var admin = await ConnectionMultiplexer.ConnectAsync(parts.Server.Configuration + ",allowAdmin=true");
        var db = admin.GetDatabase();

        // The server refuses the fleet's channel (only the client's own configuration channel stays allowed) and drops
        // the subscription connections; StackExchange.Redis reconnects, and its SUBSCRIBE is refused (NOPERM) while
        // the connection stays up.
        await db.ExecuteAsync("ACL", "SETUSER", "default", "resetchannels", "&__Booksleeve_MasterChanged");
        await db.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        await RedisFleetFixture.WaitUntilAsync(
            async () =>
            {
                var log = (RedisResult[])(await db.ExecuteAsync("ACL", "LOG"))!;
                return log.Any(entry => entry.ToDictionary().TryGetValue("object", out var o) && o.ToString() == channelName);
            },
            "the server refused the listener's SUBSCRIBE after the reconnect");
        await db.ExecuteAsync("ACL", "SETUSER", "default", "allchannels");
        Assert.That(listener.IsSubscribed, Is.False, "the client's own restore was refused");

        // Allowed again, connection up, no reconnect to come: only the listener's timer can subscribe again.
        await RedisFleetFixture.WaitUntilAsync(
            () =>
            {
                parts.Time.Advance(listener.CheckInterval);
                return Task.FromResult(listener.IsSubscribed);
            },
            "the listener's timer subscribed again");
        var heard = await parts.PublishAndHearAsync(["after-refusal"]);

        Assert.That(heard, Is.EqualTo(new[] { Parts.Hash("after-refusal") }));
    }

    /// <summary>A real redis-server, a listener channel on a fake clock and a publisher channel on the real one.</summary>
    private sealed class Parts : IAsyncDisposable
    {
        private readonly List<string> _heard = [];
        private IDisposable? _registration;

        private Parts(RedisServer server)
        {
            Server = server;
            var prefix = "sub-" + Guid.NewGuid().ToString("N")[..8];
            RedisChannel = RedisChannel.Literal(prefix + ":rejected");
            var options = Options.Create(new GraphAuthRedisOptions
            {
                Configuration = server.Configuration,
                KeyPrefix = prefix,
                OperationTimeout = Grace,
                RetryInterval = TimeSpan.FromMilliseconds(500),
            });
            Loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
            ListenerConnection = new RedisConnection(options, Time, Loggers);
            Listener = new RedisTokenRejectionChannel(ListenerConnection);
            PublisherConnection = new RedisConnection(options);
            Publisher = new RedisTokenRejectionChannel(PublisherConnection);
        }

        public RedisServer Server { get; }

        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

        public RecordingLoggerProvider Logs { get; } = new();

        public ILoggerFactory Loggers { get; }

        public RedisChannel RedisChannel { get; }

        public RedisConnection ListenerConnection { get; }

        public RedisTokenRejectionChannel Listener { get; }

        public RedisConnection PublisherConnection { get; }

        public RedisTokenRejectionChannel Publisher { get; }

        public static async Task<Parts> StartAsync()
        {
            var server = await RedisServer.TryStartAsync();
            if (server is null)
            {
                Assert.Ignore(RedisServer.InstallHint);
            }

            var parts = new Parts(server!);
            parts._registration = parts.Listener.Subscribe(hash =>
            {
                lock (parts._heard)
                {
                    parts._heard.Add(hash);
                }
            });
            return parts;
        }

        public static string Hash(string seed) =>
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed))).ToLowerInvariant();

        public int Logged(int id) => Logs.Entries.Count(e => e.Id.Id == id);

        /// <summary>Publishes each report from the publisher and waits until the listener heard it; returns all it heard.</summary>
        public async Task<List<string>> PublishAndHearAsync(IEnumerable<string> seeds)
        {
            foreach (var seed in seeds)
            {
                var hash = Hash(seed);
                await Publisher.PublishAsync(hash, CancellationToken.None);
                await RedisFleetFixture.WaitUntilAsync(() => Task.FromResult(Heard().Contains(hash)), "the listener heard the report");
            }

            return Heard();
        }

        public async ValueTask DisposeAsync()
        {
            _registration?.Dispose();
            Listener.Dispose();
            Publisher.Dispose();
            await ListenerConnection.DisposeAsync();
            await PublisherConnection.DisposeAsync();
            Loggers.Dispose();
            await Server.DisposeAsync();
        }

        private List<string> Heard()
        {
            lock (_heard)
            {
                return [.. _heard];
            }
        }
    }
}
