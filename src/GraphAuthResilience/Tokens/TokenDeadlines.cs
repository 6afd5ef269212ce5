namespace GraphAuthResilience.Tokens;

/// <summary>When a cached token stops serving and when it is refreshed ahead, as deadlines on the
/// <see cref="TokenClock"/> (milliseconds).</summary>
/// <param name="ExpiresAt">The token is not served at or after this time.</param>
/// <param name="RefreshAt">From this time a request still gets the token and starts one background refresh.</param>
internal readonly record struct TokenDeadlines(long ExpiresAt, long RefreshAt);
