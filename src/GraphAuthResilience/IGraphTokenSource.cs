namespace GraphAuthResilience;

/// <summary>
/// Supplies access tokens for Microsoft Graph. The chain calls it through a single-flight cache, so an
/// implementation is called once per needed token however many requests are waiting.
/// </summary>
/// <remarks>
/// MSAL-backed sources ship with the library (see <see cref="MsalTokenSource"/>). An implementation should throw
/// <see cref="GraphAuthException"/> for failures it can explain; anything else surfaces as
/// <see cref="GraphAuthFailureCause.TokenAcquisitionFailed"/> naming only the exception's type: its message and the
/// exception itself are not kept, because they may quote a token-endpoint answer.
/// </remarks>
public interface IGraphTokenSource
{
    /// <summary>Acquires a token for the scopes, claims and cache policy that <paramref name="request"/> describes.</summary>
    /// <param name="request">The scopes, optional claims challenge and whether every cache must be bypassed.</param>
    /// <param name="cancellationToken">Cancels the acquisition.</param>
    /// <returns>The access token and when it expires.</returns>
    ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken);
}
