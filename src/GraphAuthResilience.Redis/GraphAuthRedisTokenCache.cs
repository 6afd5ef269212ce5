using Microsoft.Identity.Web.TokenCacheProviders.Distributed;

namespace GraphAuthResilience.Redis;

/// <summary>The container's MSAL cache adapter over Redis (one per container).</summary>
internal sealed class GraphAuthRedisTokenCache(MsalDistributedTokenCacheAdapter adapter)
{
    public MsalDistributedTokenCacheAdapter Adapter => adapter;
}
