using GraphAuthResilience.Testing;
using System.Collections.Concurrent;
using GraphAuthResilience.Demo.Fleet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Redis.Tests;

/// <summary>
/// A real redis-server for one test (free loopback port, temp folder, no persistence), one fake token endpoint and
/// one fake Graph shared by the fleet, and N instances, each its own DI container. Without redis-server on PATH the
/// test is skipped with the command that installs it (CI installs it and fails on any skip).
/// </summary>
internal sealed class RedisFleetFixture : IAsyncDisposable
{
    private readonly string _keys;
    private readonly List<FleetInstance> _instances = [];

    private RedisFleetFixture(RedisServer redis)
    {
        Redis = redis;
        _keys = Directory.CreateTempSubdirectory("graph-auth-fleet-keys-").FullName;
        FleetSettings.CreateSharedKey(_keys);
        Settings = new FleetSettings(redis.Configuration, "fleet-" + Guid.NewGuid().ToString("N")[..8], _keys, () => TokenEndpoint, () => new ForwardingHandler(Graph))
        {
            RetryInterval = TimeSpan.FromMilliseconds(200),
        };
    }

    public RedisServer Redis { get; }

    public FleetSettings Settings { get; }

    public FakeEntraTokenEndpoint TokenEndpoint { get; } = new() { Latency = TimeSpan.FromMilliseconds(50) };

    public FakeGraph Graph { get; } = new() { RequiresToken = true };

    /// <summary>Gets each instance's log, by instance index.</summary>
    public List<RecordingLoggerProvider> Logs { get; } = [];

    public IReadOnlyList<FleetInstance> Instances => _instances;

    public static async Task<RedisFleetFixture> StartAsync(int instances)
    {
        var redis = await RedisServer.TryStartAsync();
        if (redis is null)
        {
            Assert.Ignore(RedisServer.InstallHint);
        }

        var fixture = new RedisFleetFixture(redis!);
        for (var i = 0; i < instances; i++)
        {
            fixture.AddInstance();
        }

        return fixture;
    }

    public FleetInstance AddInstance(FleetSettings? settings = null)
    {
        var logs = new RecordingLoggerProvider();
        var instance = new FleetInstance(settings ?? Settings, logs);
        _instances.Add(instance);
        Logs.Add(logs);
        return instance;
    }

    /// <summary>Sends <paramref name="each"/> requests from every instance at once; returns how many failed.</summary>
    public async Task<int> LoadAllAsync(int each, IEnumerable<FleetInstance>? instances = null)
    {
        var targets = (instances ?? _instances).ToList();
        var ok = await Task.WhenAll(targets.Select(i => i.LoadAsync(each)));
        return (targets.Count * each) - ok.Sum();
    }

    /// <summary>Waits until every instance's Redis connection is up and its rejection subscription is in place.</summary>
    public async Task WaitUntilSharedAsync(bool subscribed = true)
    {
        await WaitUntilAsync(async () =>
        {
            foreach (var instance in _instances)
            {
                var redis = instance.Services.GetRequiredService<RedisConnection>();
                var pong = await redis.RunAsync(async db => (await db.PingAsync()) >= TimeSpan.Zero, false, CancellationToken.None);
                if (!pong || redis.IsDown || (subscribed && !Channel(instance).IsSubscribed))
                {
                    return false;
                }
            }

            return true;
        }, subscribed ? "every instance connected to Redis and subscribed to rejection news" : "every instance connected to Redis");
    }

    public static RedisTokenRejectionChannel Channel(FleetInstance instance) =>
        (RedisTokenRejectionChannel)instance.Services.GetRequiredService<IGraphTokenRejectionChannel>();

    /// <summary>Polls a condition (a wait, never a timing assertion): fails the test if it does not hold within 20 seconds.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Gave up waiting for: {what}.");
            }

            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await Redis.DisposeAsync();
        try
        {
            Directory.Delete(_keys, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    /// <summary>Lets each instance's IHttpClientFactory own (and dispose) its primary handler while the fleet shares one fake Graph.</summary>
    private sealed class ForwardingHandler(HttpMessageHandler graph) : DelegatingHandler(new HttpMessageInvokerHandler(graph));

    private sealed class HttpMessageInvokerHandler(HttpMessageHandler graph) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _invoker = new(graph, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _invoker.SendAsync(request, cancellationToken);
    }
}

/// <summary>Keeps every log line of every instance (event id, level, rendered text) for the checks.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(string Category, EventId Id, LogLevel Level, string Text)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Recorder(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((category, eventId, logLevel, formatter(state, exception) + (exception is null ? string.Empty : " " + exception)));
    }
}
