namespace GraphAuthResilience.Batching;

/// <summary>Tells the token cache that a token Graph revoked was replaced through a claims challenge, so later
/// requests without claims do not get it again.</summary>
internal delegate void BatchRevokedToken(string? partition, IReadOnlyList<string> scopes, string revokedToken);
