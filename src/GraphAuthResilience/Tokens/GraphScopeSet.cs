namespace GraphAuthResilience.Tokens;

/// <summary>
/// A scope set as the cache uses it: the scopes in the order given (handed to the token source as they are) and
/// their cache key (the scopes joined by single spaces), computed once. The handler builds one for its default
/// scopes when it is created, so the hot path neither joins nor splits.
/// </summary>
internal sealed class GraphScopeSet
{
    private GraphScopeSet(string[] scopes, string key)
    {
        Scopes = scopes;
        Key = key;
    }

    /// <summary>Gets the scopes, in the order given.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>Gets the scopes joined by single spaces: the scope part of the cache key (never split back).</summary>
    public string Key { get; }

    /// <summary>Copies <paramref name="scopes"/> and computes their key.</summary>
    /// <param name="scopes">The scopes, in a stable order.</param>
    /// <returns>The scope set.</returns>
    public static GraphScopeSet From(IReadOnlyList<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        string[] copy = [.. scopes];
        return new GraphScopeSet(copy, copy.Length == 1 ? copy[0] : string.Join(' ', copy));
    }
}
