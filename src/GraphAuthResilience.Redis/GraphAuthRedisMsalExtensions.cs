using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Redis;

/// <summary>Binds an MSAL application's token cache to the fleet's Redis (see <c>AddGraphAuthRedis</c>).</summary>
public static class GraphAuthRedisMsalExtensions
{
    /// <summary>Keeps this confidential client's app and user token caches in Redis, encrypted, shared by every
    /// instance of the fleet that builds the same application (same client id and tenant).</summary>
    /// <param name="app">The confidential client application.</param>
    /// <param name="services">A service provider where <c>AddGraphAuthRedis</c> was called.</param>
    /// <returns>The same application.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>AddGraphAuthRedis</c> was not called on <paramref name="services"/>.</exception>
    public static IConfidentialClientApplication UseGraphAuthRedisTokenCache(this IConfidentialClientApplication app, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(app);
        var adapter = Adapter(services);
        adapter.Initialize(app.AppTokenCache);
        adapter.Initialize(app.UserTokenCache);
        return app;
    }

    /// <summary>Keeps this public client's user token cache in Redis, encrypted (for services that act for a
    /// signed-in user with <c>MsalTokenSource.ForUser</c>).</summary>
    /// <param name="app">The public client application.</param>
    /// <param name="services">A service provider where <c>AddGraphAuthRedis</c> was called.</param>
    /// <returns>The same application.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>AddGraphAuthRedis</c> was not called on <paramref name="services"/>.</exception>
    public static IPublicClientApplication UseGraphAuthRedisTokenCache(this IPublicClientApplication app, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(app);
        Adapter(services).Initialize(app.UserTokenCache);
        return app;
    }

    private static Microsoft.Identity.Web.TokenCacheProviders.Distributed.MsalDistributedTokenCacheAdapter Adapter(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return (services.GetService<GraphAuthRedisTokenCache>()
            ?? throw new InvalidOperationException("Call services.AddGraphAuthRedis(...) before binding an MSAL application's token cache to Redis.")).Adapter;
    }
}
