using GraphAuthResilience;
using GraphAuthResilience.Redis;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web.TokenCacheProviders.Distributed;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Turns on fleet sharing of Graph tokens through Redis for every Graph auth chain in the container.</summary>
public static class GraphAuthRedisServiceCollectionExtensions
{
    /// <summary>
    /// Shares Graph tokens between the instances of a service through Redis: (1) MSAL's token cache, for apps bound
    /// with <see cref="GraphAuthRedisMsalExtensions.UseGraphAuthRedisTokenCache(Microsoft.Identity.Client.IConfidentialClientApplication, IServiceProvider)"/>,
    /// is kept in Redis through Microsoft.Identity.Web's distributed token cache adapter, encrypted with Data
    /// Protection; (2) every chain's token acquisition runs under a short Redis lease, so a fleet makes one token
    /// request where each instance would make one; (3) an <see cref="IGraphTokenRejectionChannel"/> over Redis pub/sub
    /// tells the other instances (by hash) which token Graph rejected. Without this call nothing uses Redis.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets <see cref="GraphAuthRedisOptions.Configuration"/> and optionally the rest.</param>
    /// <returns>The same services.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <remarks>Data Protection is added if it is not yet: for the instances to read each other's cache entries they
    /// must share its keys and application name (for example a shared folder, or <c>PersistKeysToStackExchangeRedis</c>
    /// with the keys protected at rest, and <c>SetApplicationName</c>): whoever can write the key ring can forge cache
    /// entries. Entries an instance cannot decrypt read as absent.
    /// Options are validated at start; an invalid setting throws <see cref="OptionsValidationException"/>.</remarks>
    public static IServiceCollection AddGraphAuthRedis(this IServiceCollection services, Action<GraphAuthRedisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<GraphAuthRedisOptions>()
            .Configure(configure)
            .Validate(o => !string.IsNullOrWhiteSpace(o.Configuration), "GraphAuthRedisOptions: Configuration is empty; set it to the Redis configuration string, for example 'redis.internal:6379'.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.KeyPrefix), "GraphAuthRedisOptions: KeyPrefix is empty.")
            .Validate(o => o.OperationTimeout >= TimeSpan.FromMilliseconds(1) && o.OperationTimeout <= TimeSpan.FromSeconds(30), "GraphAuthRedisOptions: OperationTimeout must be between 1 millisecond and 30 seconds.")
            .Validate(o => o.RetryInterval >= TimeSpan.Zero && o.RetryInterval <= TimeSpan.FromMinutes(5), "GraphAuthRedisOptions: RetryInterval must be between zero and 5 minutes.")
            .Validate(o => o.LeaseDuration >= TimeSpan.FromMilliseconds(100) && o.LeaseDuration <= TimeSpan.FromMinutes(5), "GraphAuthRedisOptions: LeaseDuration must be between 100 milliseconds and 5 minutes.")
            .Validate(o => o.MaxLeaseWait >= TimeSpan.Zero && o.MaxLeaseWait <= TimeSpan.FromMinutes(5), "GraphAuthRedisOptions: MaxLeaseWait must be between zero and 5 minutes.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.ProtectionPurpose), "GraphAuthRedisOptions: ProtectionPurpose is empty.")
            .ValidateOnStart();

        services.AddDataProtection();
        services.TryAddSingleton(sp => new RedisConnection(
            sp.GetRequiredService<IOptions<GraphAuthRedisOptions>>(), sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<IGraphTokenRejectionChannel>(sp => new RedisTokenRejectionChannel(sp.GetRequiredService<RedisConnection>()));
        services.TryAddSingleton(sp =>
        {
            var redis = sp.GetRequiredService<RedisConnection>();
            var cache = new RedisCache(Options.Options.Create(new RedisCacheOptions
            {
                ConnectionMultiplexerFactory = () => redis.ConnectionTask,
                InstanceName = FleetDistributedCache.InstanceName(redis.Options),
            }));
            return new GraphAuthRedisTokenCache(new MsalDistributedTokenCacheAdapter(
                new FleetDistributedCache(cache, redis, sp.GetRequiredService<IDataProtectionProvider>()),
                Options.Options.Create(new MsalDistributedTokenCacheAdapterOptions
                {
                    // The chain's own cache is the first level; a second in-memory copy here would keep serving a
                    // token another instance has replaced after a rejection.
                    DisableL1Cache = true,

                    // Encrypted by FleetDistributedCache, so that a value this instance cannot decrypt is a miss,
                    // never a failed request.
                    Encrypt = false,
                }),
                sp.GetService<ILogger<MsalDistributedTokenCacheAdapter>>() ?? NullLogger<MsalDistributedTokenCacheAdapter>.Instance));
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<GraphAuthOptions>, FleetTokenSourceConfigurator>());
        return services;
    }
}
