using GraphAuthResilience.Demo.Fleet;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.Redis.Tests;

/// <summary><c>AddGraphAuthRedis</c>: its options validated at start, which token sources it wraps in a fleet lease,
/// and a fleet that starts without the Redis it was given.</summary>
[TestFixture]
[NonParallelizable]
public sealed class GraphAuthRedisServiceCollectionExtensionsTests
{
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
