using GraphAuthResilience.Chain;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// One on-behalf-of caller's partition, as its assertion instance finds it: the partition key (a hash of the assertion,
/// never the assertion) and, beside it, where that caller's cache entry and bearer header are, so a hit for a caller
/// seen before costs one lookup (assertion instance → this) rather than a hash of the assertion and two lookups.
/// </summary>
/// <remarks>
/// Created by <see cref="OnBehalfOfTokenSource"/> once per assertion instance and kept as long as the assertion string
/// lives. The two slots are hints, each checked before use: the entry must belong to the asking cache and scope set, and
/// still be fresh; the header must carry the token being attached, for the same chain, host and scopes.
/// </remarks>
internal sealed class TokenPartition(string key)
{
    private volatile TokenCacheEntry? _hot;
    private volatile GraphBearerHeader? _header;

    /// <summary>Gets the partition key (<c>obo:</c> and the SHA-256 of the assertion in hex).</summary>
    public string Key { get; } = key;

    /// <summary>Gets or sets this caller's entry in the cache that served it last (owned by <see cref="GraphTokenCache"/>).</summary>
    internal TokenCacheEntry? Hot
    {
        get => _hot;
        set => _hot = value;
    }

    /// <summary>Gets or sets the last bearer header attached for this caller (owned by <see cref="GraphTokenHandler"/>).</summary>
    internal GraphBearerHeader? Header
    {
        get => _header;
        set => _header = value;
    }
}
