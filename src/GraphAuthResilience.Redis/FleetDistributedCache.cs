using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;

namespace GraphAuthResilience.Redis;

/// <summary>
/// The <see cref="IDistributedCache"/> under MSAL's token cache adapter: Redis (Microsoft.Extensions.Caching.
/// StackExchangeRedis) with every value encrypted by Data Protection, and never an exception. Redis unavailable or
/// slow serves this instance's own last copy (MSAL keeps nothing in memory once its cache is serialized, so without
/// it every MSAL call during an outage would go to the token endpoint); a value that cannot be decrypted (another
/// key ring) reads as a miss, logged once.
/// </summary>
internal sealed class FleetDistributedCache : IDistributedCache
{
    private readonly IDistributedCache _inner;
    private readonly RedisConnection _redis;
    private readonly IDataProtector _protector;
    /// <summary>The most cache entries (MSAL partitions: one per app and tenant, one per user) copied locally.</summary>
    internal const int MaxLocalEntries = 10_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]> _local = new(StringComparer.Ordinal);
    private int _unreadableLogged;

    public FleetDistributedCache(IDistributedCache inner, RedisConnection redis, IDataProtectionProvider protection)
    {
        _inner = inner;
        _redis = redis;
        _protector = protection.CreateProtector(redis.Options.ProtectionPurpose);
    }

    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var (ok, stored) = await Guarded(() => _inner.GetAsync(key, token), token).ConfigureAwait(false);
        if (!ok)
        {
            return _local.TryGetValue(key, out var copy) ? copy : null;
        }

        if (stored is null)
        {
            _local.TryRemove(key, out _);
            return null;
        }

        try
        {
            var value = _protector.Unprotect(stored);
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
            protectedValue = _protector.Protect(value);
        }
        catch (CryptographicException)
        {
            return; // no key ring to write with: keep the token in-process only
        }

        await Guarded(async () =>
        {
            await _inner.SetAsync(key, protectedValue, options, token).ConfigureAwait(false);
            return true;
        }, token).ConfigureAwait(false);
    }

    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    public Task RefreshAsync(string key, CancellationToken token = default) =>
        Guarded(async () =>
        {
            await _inner.RefreshAsync(key, token).ConfigureAwait(false);
            return true;
        }, token);

    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        _local.TryRemove(key, out _);
        return Guarded(async () =>
        {
            await _inner.RemoveAsync(key, token).ConfigureAwait(false);
            return true;
        }, token);
    }

    private void KeepLocal(string key, byte[] value)
    {
        if (_local.Count < MaxLocalEntries || _local.ContainsKey(key))
        {
            _local[key] = value;
        }
    }

    private async Task<(bool Ok, T? Value)> Guarded<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
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
            return (true, result);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            _redis.ReportFailure(ex.GetType().Name);
            return default;
        }
    }
}
