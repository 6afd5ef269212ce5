using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace GraphAuthResilience.Redis;

/// <summary>
/// One token acquisition per fleet: wraps a chain's token source (whose MSAL cache lives in Redis) with a short Redis
/// lease (<c>SET key nonce NX PX</c>) per (client, customer tenant, scopes, claims, forced). The holder acquires and records its
/// outcome; the others wait (bounded) for that holder, then read the shared cache. If the holder fails, dies
/// (the lease expires) or takes too long, or Redis is unavailable, an instance acquires on its own. Waiting reads
/// only bounded values (Lua scripts check a key's kind and length before reading it), so what another writer plants
/// at these keys costs a few bytes per poll, is logged as bad data and is removed or outwaited.
/// </summary>
internal sealed class FleetTokenSource : IGraphTokenSource
{
    /// <summary>The length of a lease value (a nonce, 32 hex digits); a lease value of another length is not ours.</summary>
    private const int NonceLength = 32;

    /// <summary>The longest outcome value ("failed:" and a nonce).</summary>
    private const int OutcomeMaxLength = 7 + NonceLength;

    /// <summary>What the poll script returns for a value of the wrong kind or size (never a whole planted value).</summary>
    private const string NotOurs = "!";

    /// <summary>
    /// Takes the lease (<c>SET NX PX</c>) or returns its holder. A value that cannot be a lease (not a string of a
    /// nonce's length with an expiry: planted, or left by something else) is deleted first, so that it neither blocks
    /// the fleet nor is ever read. Returns {taken, removed} or {0, removed, holder}; the holder is at most 32 bytes.
    /// </summary>
    private const string TakeScript = """
        local removed = 0
        local kind = redis.call('TYPE', KEYS[1]).ok
        if kind ~= 'none' and (kind ~= 'string' or redis.call('STRLEN', KEYS[1]) ~= tonumber(ARGV[3]) or redis.call('PTTL', KEYS[1]) < 0) then
          redis.call('DEL', KEYS[1])
          removed = 1
        end
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return {1, removed}
        end
        return {0, removed, redis.call('GET', KEYS[1])}
        """;

    /// <summary>
    /// Reads the lease and the outcome, each bounded: nil when absent, the value when it is a string no longer than
    /// its bound, else "!" (the value itself is never sent).
    /// </summary>
    private const string PollScript = """
        local function peek(key, most)
          local kind = redis.call('TYPE', key).ok
          if kind == 'none' then return false end
          if kind ~= 'string' or redis.call('STRLEN', key) > tonumber(most) then return '!' end
          return redis.call('GET', key)
        end
        return {peek(KEYS[1], ARGV[1]), peek(KEYS[2], ARGV[2])}
        """;

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

        // One round trip: take the lease, or learn its holder (a bounded value; anything else there is removed).
        var take = await _redis.RunAsync<RedisResult?>(
            async db => await db.ScriptEvaluateAsync(TakeScript, [lease], [nonce, (long)options.LeaseDuration.TotalMilliseconds, NonceLength]).ConfigureAwait(false),
            null,
            cancellationToken).ConfigureAwait(false);
        if (take is null)
        {
            return await _inner.GetTokenAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var reply = (RedisResult[])take!;
        if ((long)reply[1] == 1)
        {
            Log.FleetBadData(_redis.Logger, $"the lease of client '{_client}'");
        }

        if ((long)reply[0] == 1)
        {
            return await HoldAsync(request, lease, outcome, nonce, cancellationToken).ConfigureAwait(false);
        }

        var holder = reply.Length > 2 ? (RedisValue)reply[2] : RedisValue.Null;
        if (holder.IsNull)
        {
            // The script answers a holder whenever it does not take the lease; a reply without one is not Redis's.
            return await OwnAsync(request, "Redis unavailable", cancellationToken).ConfigureAwait(false);
        }

        Log.LeaseWaiting(_redis.Logger, _client);
        var result = await WaitForAsync(lease, outcome, holder, deadline, cancellationToken).ConfigureAwait(false);
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
            var state = await _redis.RunAsync<RedisResult?>(
                async db => await db.ScriptEvaluateAsync(PollScript, [lease, outcome], [NonceLength, OutcomeMaxLength]).ConfigureAwait(false),
                null,
                cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                return WaitResult.Unavailable;
            }

            var values = (RedisValue[])state!;
            if (values[0] == holder)
            {
                continue; // still held by the one we wait for
            }

            var done = values[1];
            if (done == "ok:" + holder)
            {
                return WaitResult.Shared;
            }

            if (values[0] == NotOurs || done == NotOurs)
            {
                Log.FleetBadData(_redis.Logger, $"the acquisition outcome of client '{_client}'");
            }

            // Failed, expired without an outcome (the holder died), or overwritten by a later holder.
            return WaitResult.Failed;
        }
    }

    /// <summary>A short, stable, non-reversible name for what is acquired (claims may be long and are not logged),
    /// after the customer tenant when the request has one (<c>{tenant}:{hash}</c>): each tenant has its own lease, so
    /// one tenant's acquisition never holds up another's, and the fleet acquires once per tenant.</summary>
    internal static string LeaseName(GraphTokenRequest request)
    {
        var text = string.Join(' ', request.Scopes) + "\n" + (request.Claims ?? string.Empty) + "\n" + (request.ForceRefresh ? "1" : "0")
            + "\n" + (request.TenantId ?? string.Empty);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16)).ToLowerInvariant();
        return request.TenantId is { } tenant ? tenant + ":" + hash : hash;
    }

    private enum WaitResult
    {
        Shared,
        Failed,
        TimedOut,
        Unavailable,
    }
}
