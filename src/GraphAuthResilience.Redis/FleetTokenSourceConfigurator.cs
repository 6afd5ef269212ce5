using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.Redis;

/// <summary>
/// Puts the fleet lease around the token source of every Graph auth chain in the container (the options' source,
/// else the one registered in DI). Sources serving several identities (<see cref="IPartitionedGraphTokenSource"/>,
/// on-behalf-of) are left as they are: their tokens are still shared through MSAL's Redis cache, without a lease.
/// </summary>
internal sealed class FleetTokenSourceConfigurator(IServiceProvider services, RedisConnection redis) : IPostConfigureOptions<GraphAuthOptions>
{
    public void PostConfigure(string? name, GraphAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var source = options.TokenSource ?? services.GetService<IGraphTokenSource>();
        if (source is null or FleetTokenSource or IPartitionedGraphTokenSource)
        {
            return;
        }

        options.TokenSource = new FleetTokenSource(source, redis, string.IsNullOrEmpty(name) ? "default" : name);
    }
}
