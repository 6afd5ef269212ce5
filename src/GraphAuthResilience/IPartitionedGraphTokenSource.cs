namespace GraphAuthResilience;

/// <summary>
/// A token source that serves several identities (for example one per caller of a web API, on-behalf-of): the
/// chain's cache keeps each partition's tokens apart and never serves one partition's token to another.
/// </summary>
public interface IPartitionedGraphTokenSource : IGraphTokenSource
{
    /// <summary>Gets the cache partition of the current request (called before every token lookup, in the
    /// request's async context). Must not be a secret: return a hash, never the assertion or a token.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A stable key for the identity the next token is for.</returns>
    ValueTask<string> GetCachePartitionAsync(CancellationToken cancellationToken);
}
