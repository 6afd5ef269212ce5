using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace GraphAuthResilience.Redis;

/// <summary>
/// One token acquisition per fleet: wraps a chain's token source (whose MSAL cache lives in Redis) with a short Redis
/// lease (<c>SET key nonce NX PX</c>) per (client, scopes, claims, forced). The holder acquires and records its
/// outcome; the others wait (bounded) for that holder, then read the shared cache. If the holder fails, dies
/// (the lease expires) or takes too long, or Redis is unavailable, an instance acquires on its own.
/// </summary>
internal sealed class FleetTokenSource : IGraphTokenSource
{
    private readonly IGraphTokenSource _inner;
    private readonly RedisConnection _redis;
    private readonly string _client;
    private readonly string _keyPrefix;

    public FleetTokenSource(IGraphTokenSource inner, RedisConnection redis, string client)
    {
        _inner = inner;
        _redis = redis;
        _client = client;
        _keyPrefix = $"{redis.Options.KeyPrefix}:lease:{client}:";
    }

    internal IGraphTokenSource Inner => _inner;

    public async ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = _redis.Options;
        RedisKey lease = _keyPrefix + LeaseName(request);
        RedisKey outcome = lease.Append(":done");
        var nonce = Guid.NewGuid().ToString("N");
        var deadline = _redis.Time.GetUtcNow() + options.MaxLeaseWait;

        while (true)
        {
            var taken = await _redis.RunAsync<bool?>(
                async db => await db.StringSetAsync(lease, nonce, options.LeaseDuration, When.NotExists).ConfigureAwait(false),
                null,
                cancellationToken).ConfigureAwait(false);
            if (taken is null)
            {
                return await _inner.GetTokenAsync(request, cancellationToken).ConfigureAwait(false);
            }

            if (taken.Value)
            {
                return await HoldAsync(request, lease, outcome, nonce, cancellationToken).ConfigureAwait(false);
            }

            var holder = await _redis.RunAsync<RedisValue?>(
                async db => await db.StringGetAsync(lease).ConfigureAwait(false), null, cancellationToken).ConfigureAwait(false);
            if (holder is null)
            {
                return await OwnAsync(request, "Redis unavailable", cancellationToken).ConfigureAwait(false);
            }

            if (holder.Value.IsNull)
            {
                // Released between our SET and GET: try to take it again.
                continue;
            }

            Log.LeaseWaiting(_redis.Logger, _client);
            var result = await WaitForAsync(lease, outcome, holder.Value, deadline, cancellationToken).ConfigureAwait(false);
            switch (result)
            {
                case WaitResult.Shared:
                    Log.LeaseShared(_redis.Logger, _client);

                    // The holder met these claims / forced this refresh; its token is in the shared MSAL cache now.
                    return await _inner.GetTokenAsync(request with { Claims = null, ForceRefresh = false }, cancellationToken).ConfigureAwait(false);
                case WaitResult.Failed:
                    return await OwnAsync(request, "the holder failed or went away", cancellationToken).ConfigureAwait(false);
                case WaitResult.TimedOut:
                    return await OwnAsync(request, "the wait for the holder timed out", cancellationToken).ConfigureAwait(false);
                default:
                    return await OwnAsync(request, "Redis unavailable", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<GraphAccessToken> OwnAsync(GraphTokenRequest request, string reason, CancellationToken cancellationToken)
    {
        Log.LeaseFallback(_redis.Logger, _client, reason);
        return await _inner.GetTokenAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<GraphAccessToken> HoldAsync(
        GraphTokenRequest request, RedisKey lease, RedisKey outcome, string nonce, CancellationToken cancellationToken)
    {
        Log.LeaseTaken(_redis.Logger, _client);
        var options = _redis.Options;
        var succeeded = false;
        try
        {
            var token = await _inner.GetTokenAsync(request, cancellationToken).ConfigureAwait(false);
            succeeded = true;
            return token;
        }
        finally
        {
            // Outcome first, then release: a waiter that sees the lease gone finds the outcome of the holder it waited for.
            var value = (succeeded ? "ok:" : "failed:") + nonce;
            await _redis.RunAsync(
                async db =>
                {
                    await db.StringSetAsync(outcome, value, options.OutcomeLifetime).ConfigureAwait(false);
                    return await db.LockReleaseAsync(lease, nonce).ConfigureAwait(false);
                },
                false,
                CancellationToken.None,
                evenIfSkipping: true).ConfigureAwait(false);
        }
    }

    private async ValueTask<WaitResult> WaitForAsync(
        RedisKey lease, RedisKey outcome, RedisValue holder, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var options = _redis.Options;
        while (true)
        {
            if (_redis.Time.GetUtcNow() >= deadline)
            {
                return WaitResult.TimedOut;
            }

            await Task.Delay(options.LeasePollInterval, _redis.Time, cancellationToken).ConfigureAwait(false);
            var state = await _redis.RunAsync<RedisValue[]?>(
                async db => await db.StringGetAsync([lease, outcome]).ConfigureAwait(false), null, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                return WaitResult.Unavailable;
            }

            if (state[0] == holder)
            {
                continue; // still held by the one we wait for
            }

            var done = state[1];
            if (done == "ok:" + holder)
            {
                return WaitResult.Shared;
            }

            // Failed, expired without an outcome (the holder died), or overwritten by a later holder.
            return WaitResult.Failed;
        }
    }

    /// <summary>A short, stable, non-reversible name for what is acquired (claims may be long and are not logged).</summary>
    internal static string LeaseName(GraphTokenRequest request)
    {
        var text = string.Join(' ', request.Scopes) + "\n" + (request.Claims ?? string.Empty) + "\n" + (request.ForceRefresh ? "1" : "0");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16)).ToLowerInvariant();
    }

    private enum WaitResult
    {
        Shared,
        Failed,
        TimedOut,
        Unavailable,
    }
}
