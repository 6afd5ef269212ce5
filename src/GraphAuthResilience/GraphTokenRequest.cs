namespace GraphAuthResilience;

/// <summary>What a token is needed for: the scopes, and optionally a claims challenge to meet.</summary>
/// <param name="Scopes">The scopes the token must carry, for example <c>https://graph.microsoft.com/.default</c>.</param>
public sealed record GraphTokenRequest(IReadOnlyList<string> Scopes)
{
    /// <summary>Gets the claims JSON (already decoded) from a claims challenge, or <see langword="null"/>.</summary>
    public string? Claims { get; init; }

    /// <summary>Gets a value indicating whether every cache must be bypassed and a new token minted.</summary>
    public bool ForceRefresh { get; init; }

    /// <summary>Returns the scopes and flags, never a token.</summary>
    /// <returns>A short description safe for logs.</returns>
    public override string ToString() =>
        $"GraphTokenRequest {{ Scopes = [{string.Join(", ", Scopes)}], HasClaims = {Claims is not null}, ForceRefresh = {ForceRefresh} }}";
}
