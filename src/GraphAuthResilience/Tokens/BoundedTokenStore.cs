using System.Collections.Concurrent;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// The cache's entries, bounded. Lookups are lock-free (<see cref="ConcurrentDictionary{TKey,TValue}"/>); inserts
/// take the store's lock and evict with the CLOCK (second chance) algorithm over a FIFO ring: an entry used since the evictor
/// last passed it is kept one more round, an entry with an acquisition in flight is kept, claims-keyed entries (one
/// per CAE challenge) get no second chance. Each insert evicts at most what it overflows, so the cost per insert is
/// O(1) amortised; nothing is sorted and readers never wait for the evictor.
/// </summary>
internal sealed class BoundedTokenStore(int maxEntries)
{
    private readonly ConcurrentDictionary<TokenCacheKey, TokenCacheEntry> _entries = new();
    private readonly Queue<TokenCacheEntry> _ring = new();
    private readonly Lock _insertGate = new();
    private int _count;

    /// <summary>Gets the most entries kept (besides entries whose acquisition is in flight).</summary>
    public int MaxEntries { get; } = maxEntries;

    /// <summary>Gets how many entries are kept.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Gets the entries, enumerated without locks (for the rare scans).</summary>
    public IEnumerable<TokenCacheEntry> Entries => _entries.Select(static pair => pair.Value);

    /// <summary>Finds the entry for <paramref name="key"/> without taking a lock.</summary>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    public TokenCacheEntry? Find(in TokenCacheKey key) => _entries.TryGetValue(key, out var entry) ? entry : null;

    /// <summary>Finds or adds the entry for <paramref name="key"/>, evicting when the store is full.</summary>
    /// <param name="key">The key.</param>
    /// <param name="scopes">The scope set of the key.</param>
    /// <param name="evicted">How many entries were evicted to make room.</param>
    /// <returns>The entry.</returns>
    public TokenCacheEntry GetOrAdd(in TokenCacheKey key, GraphScopeSet scopes, out int evicted)
    {
        evicted = 0;
        if (_entries.TryGetValue(key, out var found))
        {
            return found;
        }

        lock (_insertGate)
        {
            if (_entries.TryGetValue(key, out found))
            {
                return found;
            }

            var entry = new TokenCacheEntry(key, scopes, this);
            _entries[key] = entry;
            _ring.Enqueue(entry);
            _count++;
            if (_count > MaxEntries)
            {
                evicted = EvictLocked(entry);
            }

            return entry;
        }
    }

    private int EvictLocked(TokenCacheEntry keep)
    {
        var evicted = 0;

        // Every entry is passed at most twice (once to clear its bit, once to evict it): the loop ends even when
        // everything is in flight, which leaves the store briefly over its bound rather than blocking anyone.
        var budget = (2 * _ring.Count) + 1;
        while (_count > MaxEntries && budget-- > 0 && _ring.TryDequeue(out var candidate))
        {
            // The entry's own rule (TokenCacheEntry): its state changes under its gate. A busy gate means an
            // acquisition is being started or finished: passed like an entry in flight, never waited for.
            var secondChance = candidate.Key.Claims is null && candidate.Touched;
            if (ReferenceEquals(candidate, keep) || secondChance || !candidate.Gate.TryEnter())
            {
                candidate.Touched = false;
                _ring.Enqueue(candidate);
                continue;
            }

            try
            {
                if (candidate.Pending is not null)
                {
                    _ring.Enqueue(candidate);
                    continue;
                }

                _entries.TryRemove(candidate.Key, out _);
                candidate.Evict();
            }
            finally
            {
                candidate.Gate.Exit();
            }

            _count--;
            evicted++;
        }

        return evicted;
    }
}
