using System.Security.Cryptography;
using System.Text;
using GraphAuthResilience.Demo.Fleet;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.Redis.Tests;

/// <summary>The pieces of the Redis package one by one, against a real redis-server where they need one.</summary>
[TestFixture]
[NonParallelizable]
public sealed class RedisPartsTests
{
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
    public void AddGraphAuthRedis_WithoutConfiguration_FailsValidationNamingTheSetting()
    {
        var services = new ServiceCollection();
        services.AddGraphAuthRedis(o => o.OperationTimeout = TimeSpan.FromSeconds(1));
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<GraphAuthRedisOptions>>().Value);
        Assert.That(failure!.Message, Does.Contain("Configuration"));
    }

    [Test]
    public void AddGraphAuthRedis_OnBehalfOfSource_IsNotWrappedInALease()
    {
        var services = new ServiceCollection();
        services.AddGraphAuthRedis(o => o.Configuration = "127.0.0.1:1");
        var endpoint = new FakeEntraTokenEndpoint();
        var obo = MsalTokenSource.OnBehalfOf(endpoint.CreateConfidentialClient(), _ => ValueTask.FromResult("assertion"));
        var app = MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient());
        services.AddHttpClient("obo").AddGraphAuthHandlers(o => o.TokenSource = obo);
        services.AddHttpClient("app").AddGraphAuthHandlers(o => o.TokenSource = app);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptionsMonitor<GraphAuthOptions>>();

        Assert.Multiple(() =>
        {
            Assert.That(options.Get("obo").TokenSource, Is.SameAs(obo), "partitioned (per-user) sources keep their own source");
            Assert.That(options.Get("app").TokenSource, Is.InstanceOf<FleetTokenSource>());
            Assert.That(((FleetTokenSource)options.Get("app").TokenSource!).Inner, Is.SameAs(app));
        });
    }

    [Test]
    public async Task ColdStart_RedisConfiguredButNeverThere_EachInstanceAcquiresOnce()
    {
        var port = RedisServer.FreePort();
        var keys = Directory.CreateTempSubdirectory("graph-auth-fleet-keys-").FullName;
        try
        {
            FleetSettings.CreateSharedKey(keys);
            var endpoint = new FakeEntraTokenEndpoint();
            var graph = new FakeGraph { RequiresToken = true };
            var settings = new FleetSettings($"127.0.0.1:{port}", "absent", keys, () => endpoint, () => new GraphForwarder(graph));
            await using var a = new FleetInstance(settings);
            await using var b = new FleetInstance(settings);

            var ok = await Task.WhenAll(a.LoadAsync(50), b.LoadAsync(50));

            Assert.That(ok, Is.EqualTo(new[] { 50, 50 }));
            Assert.That(endpoint.Posts, Is.EqualTo(2));
        }
        finally
        {
            Directory.Delete(keys, recursive: true);
        }
    }

    private sealed class GraphForwarder(HttpMessageHandler graph) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _invoker = new(graph, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _invoker.SendAsync(request, cancellationToken);
    }
}
