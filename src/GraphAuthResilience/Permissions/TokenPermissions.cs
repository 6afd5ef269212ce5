using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Permissions;

/// <summary>What one token held, read once per token value: its kind and its permission names (never the token
/// text in anything that is printed). Keeps a reference to the token string it was read from, so a handler can tell
/// with one reference comparison that the next request carries the same token.</summary>
internal sealed class TokenPermissions
{
    public TokenPermissions(string token, GraphPermissionScheme scheme, IReadOnlyList<string> held, string? appId, bool readable)
    {
        IsReadable = readable;
        Token = token;
        Scheme = scheme;
        Held = held;
        AppId = appId;
    }

    /// <summary>Gets the token string this was read from (compared by reference only; never printed).</summary>
    public string Token { get; }

    /// <summary>Gets a value indicating whether the token was a JWT whose payload could be read.</summary>
    public bool IsReadable { get; }

    public GraphPermissionScheme Scheme { get; }

    public IReadOnlyList<string> Held { get; }

    /// <summary>Gets the application id (<c>appid</c>/<c>azp</c>): for the removal commands.</summary>
    public string? AppId { get; }

    /// <summary>Returns the kind and the names held; never the token.</summary>
    /// <returns>A description safe for logs.</returns>
    public override string ToString() => $"{Scheme}: {string.Join(' ', Held)}";
}
