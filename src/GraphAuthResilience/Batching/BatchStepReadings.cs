using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Batching;

/// <summary>
/// What the steps of one batch said, each thing read once per batch: the claims of every distinct
/// <c>WWW-Authenticate</c> value a step answered with, and the JWT payload of every distinct token the batch was sent
/// with. The re-send plan, the re-send decision and the diagnosis of every failed step share one, so twenty steps
/// answering the same challenge with the same token cost one reading of each, not one per step and per use.
/// </summary>
/// <remarks>Lifetime: one batch (one call of the batch handler). Not thread-safe: used by that call only.</remarks>
internal sealed class BatchStepReadings
{
    private readonly Dictionary<string, string?> _claims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GraphTokenInfo?> _tokens = new(StringComparer.Ordinal);

    /// <summary>The claims (JSON) of the claims challenge in a step's <c>WWW-Authenticate</c> value, or <see langword="null"/>.</summary>
    /// <param name="wwwAuthenticate">The step's raw header value.</param>
    /// <returns>The decoded claims, or <see langword="null"/>.</returns>
    public string? ClaimsOf(string? wwwAuthenticate)
    {
        if (string.IsNullOrWhiteSpace(wwwAuthenticate))
        {
            return null;
        }

        if (!_claims.TryGetValue(wwwAuthenticate, out var claims))
        {
            claims = GraphAuthFailureContext.ClaimsOf(WwwAuthenticateParser.Parse(wwwAuthenticate));
            _claims.Add(wwwAuthenticate, claims);
        }

        return claims;
    }

    /// <summary>What the JWT payload of <paramref name="token"/> says, or <see langword="null"/> when it is no readable JWT.</summary>
    /// <param name="token">A token the batch (or its re-send) carried.</param>
    /// <returns>The payload's facts, or <see langword="null"/>.</returns>
    public GraphTokenInfo? TokenInfo(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return null;
        }

        if (!_tokens.TryGetValue(token, out var info))
        {
            GraphTokenInfo.TryParse(token, out info);
            _tokens.Add(token, info);
        }

        return info;
    }
}
