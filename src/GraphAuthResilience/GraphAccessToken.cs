namespace GraphAuthResilience;

/// <summary>An access token and its lifetime.</summary>
/// <param name="Value">The bearer token. Never logged, traced or shown by <see cref="ToString"/>.</param>
/// <param name="ExpiresOn">When the token expires.</param>
public readonly record struct GraphAccessToken(string Value, DateTimeOffset ExpiresOn)
{
    /// <summary>Gets when the issuer suggests refreshing the token (MSAL's <c>RefreshOn</c>), if it said.</summary>
    public DateTimeOffset? RefreshOn { get; init; }

    /// <summary>Returns the lifetime only; the token value is redacted.</summary>
    /// <returns>A description safe for logs.</returns>
    public override string ToString() =>
        $"GraphAccessToken {{ Value = [redacted], ExpiresOn = {ExpiresOn:O}, RefreshOn = {(RefreshOn is { } r ? r.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "none")} }}";
}
