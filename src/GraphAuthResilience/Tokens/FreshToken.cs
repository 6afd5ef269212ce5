namespace GraphAuthResilience.Tokens;

/// <summary>A token that serves until <see cref="RefreshAt"/> (on the <see cref="TokenClock"/>), read without a lock.</summary>
/// <param name="Token">The token.</param>
/// <param name="RefreshAt">The refresh-ahead deadline; never later than the expiry deadline.</param>
internal sealed record FreshToken(GraphAccessToken Token, long RefreshAt);
