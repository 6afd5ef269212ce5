namespace GraphAuthResilience.Tokens;

/// <summary>
/// One identity the chain attaches tokens for: the source's own (key <see langword="null"/>), a customer tenant
/// (<c>tenant:</c> and the tenant), an on-behalf-of caller (<c>obo:</c> and a hash of the assertion, never the
/// assertion), or another partition of an <see cref="IPartitionedGraphTokenSource"/>. Beside the key it keeps
/// <see cref="Last"/>: what the token handler last attached for the identity, the one shortcut of the token path.
/// </summary>
/// <remarks>
/// Where they come from: the cache holds the source's own partition and one per tenant or partition key
/// (<see cref="GraphTokenCache.OwnPartition"/>, <see cref="GraphTokenCache.PartitionFor(string?)"/>);
/// <see cref="OnBehalfOfTokenSource"/> makes one per assertion instance, kept as long as the assertion string lives, so
/// a caller seen before costs one lookup (assertion instance → this) rather than a hash of the assertion. Writes of
/// <see cref="Last"/> replace one immutable object (last writer wins): it is a hint, checked before each use.
/// </remarks>
internal sealed class TokenPartition(string? key)
{
    private volatile LastAttached? _last;

    /// <summary>Gets the partition key of the cache entries (<see cref="TokenCacheKey.Partition"/>).</summary>
    public string? Key { get; } = key;

    /// <summary>Gets or sets what the token handler last attached for this identity (written by <see cref="GraphTokenHandler"/> only).</summary>
    internal LastAttached? Last
    {
        get => _last;
        set => _last = value;
    }
}
