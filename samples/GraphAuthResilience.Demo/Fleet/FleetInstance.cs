using GraphAuthResilience.Testing;
using System.Collections.Concurrent;
using GraphAuthResilience.Redis;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Demo.Fleet;

/// <summary>What every instance of a demo or test fleet shares: Redis, key prefix, Data Protection keys, endpoints.</summary>
internal sealed record FleetSettings(
    string RedisConfiguration,
    string KeyPrefix,
    string KeysDirectory,
    Func<IMsalHttpClientFactory> TokenEndpoint,
    Func<HttpMessageHandler> Graph)
{
    public const string ClientId = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    public const string ApplicationName = "GraphAuthResilience.Fleet";

    /// <summary>Gets how long an instance leaves Redis alone after a failure (short in tests).</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets how long one Redis operation may take (generous: the machine running the demo may be busy).</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Creates the Data Protection key the fleet shares (once, before the instances start).</summary>
    public static void CreateSharedKey(string keysDirectory)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(keysDirectory)).SetApplicationName(ApplicationName);
        using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("warm-up").Protect([1]);
    }
}

/// <summary>
/// One instance of a fleet: its own DI container, its own MSAL application (same client id as every other instance),
/// the Graph auth chain, and <c>AddGraphAuthRedis</c>. What a service would write, plus counters for the checks.
/// </summary>
internal sealed class FleetInstance : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly HttpClient _client;

    public FleetInstance(FleetSettings settings, ILoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug);
            if (logs is not null)
            {
                b.AddProvider(logs);
            }
        });
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(settings.KeysDirectory)).SetApplicationName(FleetSettings.ApplicationName);

        // The fleet part: one call.
        services.AddGraphAuthRedis(o =>
        {
            o.Configuration = settings.RedisConfiguration;
            o.KeyPrefix = settings.KeyPrefix;
            o.RetryInterval = settings.RetryInterval;
            o.OperationTimeout = settings.OperationTimeout;
        });

        // The MSAL application, its token cache bound to Redis.
        services.AddSingleton<IGraphTokenSource>(sp => MsalTokenSource.ForClientCredentials(
            ConfidentialClientApplicationBuilder.Create(FleetSettings.ClientId)
                .WithAuthority($"https://login.microsoftonline.com/{FakeEntraTokenEndpoint.Tenant}/")
                .WithClientSecret("fleet-demo-secret-not-real")
                .WithInstanceDiscovery(false)
                .WithHttpClientFactory(settings.TokenEndpoint(), retryOnceOn5xx: false)
                .WithClientCapabilities(["cp1"])
                .Build()
                .UseGraphAuthRedisTokenCache(sp)));
        services.AddHttpClient("graph")
            .AddGraphAuthHandlers()
            .ConfigurePrimaryHttpMessageHandler(settings.Graph);

        _provider = services.BuildServiceProvider();
        _client = _provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph");
    }

    public IServiceProvider Services => _provider;

    /// <summary>Gets the tokens this instance's requests carried, with how many requests carried each.</summary>
    public ConcurrentDictionary<string, int> SentTokens { get; } = new(StringComparer.Ordinal);

    /// <summary>Sends <paramref name="count"/> requests at once; returns how many succeeded.</summary>
    public async Task<int> LoadAsync(int count)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => SendOneAsync()));
        return results.Count(ok => ok);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _provider.DisposeAsync();
    }

    private async Task<bool> SendOneAsync()
    {
        try
        {
            using var response = await _client.GetAsync(new Uri("https://graph.microsoft.com/v1.0/organization"));
            if (response.RequestMessage?.Headers.Authorization?.Parameter is { } token)
            {
                SentTokens.AddOrUpdate(token, 1, (_, n) => n + 1);
            }

            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or GraphAuthException)
        {
            return false;
        }
    }
}
