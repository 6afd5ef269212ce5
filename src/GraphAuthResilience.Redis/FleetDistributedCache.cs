using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace GraphAuthResilience.Redis;

/// <summary>
/// The <see cref="IDistributedCache"/> under MSAL's token cache adapter: Redis (Microsoft.Extensions.Caching.
/// StackExchangeRedis) with every value encrypted by Data Protection, and never an exception. Redis unavailable or
/// slow serves this instance's own last copy (MSAL keeps nothing in memory once its cache is serialized, so without
/// it every MSAL call during an outage would go to the token endpoint); a value that cannot be decrypted (another
/// key ring, or an entry copied from another key: each key has its own Data Protection purpose) reads as a miss,
/// logged once. Before an entry is read, a script checks its kind and size: a value of the wrong kind (a string where
/// the distributed cache keeps a hash) or above <see cref="MaxEntryBytes"/> is bad data (logged as such, not as an
/// outage), reads as a miss without being read, and is replaced at the next write.
/// </summary>
internal sealed class FleetDistributedCache : IDistributedCache
{
    private readonly IDistributedCache _inner;
    private readonly RedisConnection _redis;
    private readonly IDataProtector _protector;
    private readonly IDataProtectionProvider _protection;
    private readonly string _keyPrefix;
    /// <summary>The most cache entries (MSAL partitions: one per app and tenant, one per user) copied locally.</summary>
    internal const int MaxLocalEntries = 10_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _local = new(StringComparer.Ordinal);
    private int _unreadableLogged;

    public FleetDistributedCache(IDistributedCache inner, RedisConnection redis, IDataProtectionProvider protection)
    {
        _inner = inner;
        _redis = redis;
        _protection = protection;
        _protector = protection.CreateProtector(redis.Options.ProtectionPurpose);
        _keyPrefix = InstanceName(redis.Options);
    }

    /// <summary>Answers the size of an entry's data without reading it: -2 absent, -1 not a hash, else its length.</summary>
    private const string SizeScript = """
        local kind = redis.call('TYPE', KEYS[1]).ok
        if kind == 'none' then return -2 end
        if kind ~= 'hash' then return -1 end
        return redis.call('HSTRLEN', KEYS[1], 'data')
        """;

    /// <summary>The largest encrypted cache entry read from Redis; a larger one is bad data, never read whole.</summary>
    internal const int MaxEntryBytes = 2 * 1024 * 1024;

    internal IDataProtectionProvider Protection => _protection;

    /// <summary>The prefix of the Redis keys of MSAL's cache entries (the distributed cache's instance name).</summary>
    internal static string InstanceName(GraphAuthRedisOptions options) => options.KeyPrefix + ":msal:";

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        var size = await _redis.RunAsync<long?>(
            async db => (long)await db.ScriptEvaluateAsync(SizeScript, [RedisKeyOf(key)]).ConfigureAwait(false), null, token).ConfigureAwait(false);
        if (size is null)
        {
            return _local.TryGetValue(key, out var copy) ? copy : null;
        }

        if (size == -2)
        {
            _local.TryRemove(key, out _);
            return null;
        }

        if (size is -1 or > MaxEntryBytes)
        {
            return BadData(key);
        }

        var (ok, stored, _) = await Guarded(() => _inner.GetAsync(key, token), key, token).ConfigureAwait(false);
        if (!ok)
        {
            return _local.TryGetValue(key, out var copy) ? copy : null;
        }

        if (stored is null)
        {
            _local.TryRemove(key, out _);
            return null;
        }

        if (stored.Length > MaxEntryBytes)
        {
            return BadData(key); // grown between the check and the read
        }

        try
        {
            var value = ProtectorFor(key).Unprotect(stored);
            KeepLocal(key, value);
            return value;
        }
        catch (CryptographicException)
        {
            if (Interlocked.Exchange(ref _unreadableLogged, 1) == 0)
            {
                Log.SharedCacheUnreadable(_redis.Logger);
            }

            return null;
        }
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) =>
        SetAsync(key, value, options).GetAwaiter().GetResult();

    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        KeepLocal(key, value);
        byte[] protectedValue;
        try
        {
            protectedValue = ProtectorFor(key).Protect(value);
        }
        catch (CryptographicException)
        {
            return; // no key ring to write with: keep the token in-process only
        }

        var (_, _, wrongKind) = await Guarded(async () =>
        {
            await _inner.SetAsync(key, protectedValue, options, token).ConfigureAwait(false);
            return true;
        }, key, token).ConfigureAwait(false);
        if (wrongKind)
        {
            // A value of the wrong kind at the key refused the write (logged as bad data): replace it.
            await Guarded(async () =>
            {
                var multiplexer = await _redis.ConnectionTask.ConfigureAwait(false);
                await multiplexer.GetDatabase().KeyDeleteAsync(RedisKeyOf(key)).ConfigureAwait(false);
                await _inner.SetAsync(key, protectedValue, options, token).ConfigureAwait(false);
                return true;
            }, key, token).ConfigureAwait(false);
        }
    }

    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    public Task RefreshAsync(string key, CancellationToken token = default) =>
        Guarded(async () =>
        {
            await _inner.RefreshAsync(key, token).ConfigureAwait(false);
            return true;
        }, key, token);

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        _local.TryRemove(key, out _);
        return Guarded(async () =>
        {
            await _inner.RemoveAsync(key, token).ConfigureAwait(false);
            return true;
        }, key, token);
    }

    private void KeepLocal(string key, byte[] value)
    {
        if (_local.Count < MaxLocalEntries || _local.ContainsKey(key))
        {
            _local[key] = value;
        }
    }

    private RedisKey RedisKeyOf(string key) => new RedisKey(_keyPrefix + key);

    /// <summary>Each key has its own purpose: an entry copied to another key does not decrypt there.</summary>
    private IDataProtector ProtectorFor(string key) => _protector.CreateProtector(key);

    private byte[]? BadData(string key)
    {
        Log.FleetBadData(_redis.Logger, "a shared token cache entry");
        _local.TryRemove(key, out _);
        return null;
    }

    private async Task<(bool Ok, T? Value, bool WrongKind)> Guarded<T>(Func<Task<T>> operation, string key, CancellationToken cancellationToken)
    {
        // Connected first (bounded), so that the cache's own connect never waits on a Redis that is away.
        if (await _redis.GetAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            return default;
        }

        try
        {
            var result = await operation().WaitAsync(_redis.Options.OperationTimeout, _redis.Time, cancellationToken).ConfigureAwait(false);
            _redis.ReportSuccess();
            return (true, result, false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            // Redis answered: it is up, the value at the key is not what the cache keeps there.
            _redis.ReportSuccess();
            BadData(key);
            return (false, default, true);
        }
        catch (Exception ex)
        {
            _redis.ReportFailure(ex.GetType().Name);
            return default;
        }
    }
}
