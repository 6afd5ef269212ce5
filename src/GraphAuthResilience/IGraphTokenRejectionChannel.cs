namespace GraphAuthResilience;

/// <summary>
/// Carries the news that Graph rejected a token between the instances of a service that share tokens (a fleet),
/// so that no instance sends a token another instance already saw rejected. Optional: when one is registered in
/// dependency injection, every chain publishes to it when Graph rejects a token the chain sent (revoked session,
/// claims challenge) and drops any cached token another instance reports. Only hashes travel, never a token.
/// </summary>
/// <remarks>
/// A token's hash is the lower-case hexadecimal SHA-256 of the token's UTF-8 bytes. Implementations must never
/// throw from <see cref="PublishAsync"/> for an unavailable transport: a lost message only costs a rejected send.
/// </remarks>
public interface IGraphTokenRejectionChannel
{
    /// <summary>Tells the other instances that Graph rejected the token with this hash.</summary>
    /// <param name="tokenHash">The lower-case hexadecimal SHA-256 of the rejected token's UTF-8 bytes.</param>
    /// <param name="cancellationToken">Cancels the publication.</param>
    /// <returns>A task that completes when the news has been handed to the transport.</returns>
    ValueTask PublishAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>Registers a callback invoked with the hash of each token another instance saw rejected.</summary>
    /// <param name="onRejected">Called with the rejected token's hash; must be fast and must not throw.</param>
    /// <returns>A registration that stops the callbacks when disposed.</returns>
    IDisposable Subscribe(Action<string> onRejected);
}
