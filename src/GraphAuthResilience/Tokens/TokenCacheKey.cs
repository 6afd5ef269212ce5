namespace GraphAuthResilience.Tokens;

/// <summary>What a cached token is for: whose (the partition: a hash, never an assertion; <see langword="null"/>
/// for a source with one identity), which scopes (their precomputed key) and which claims.</summary>
/// <param name="Partition">The partition, or <see langword="null"/>.</param>
/// <param name="Scopes">The scopes' key (<see cref="GraphScopeSet.Key"/>).</param>
/// <param name="Claims">The claims JSON, or <see langword="null"/>.</param>
internal readonly record struct TokenCacheKey(string? Partition, string Scopes, string? Claims);
