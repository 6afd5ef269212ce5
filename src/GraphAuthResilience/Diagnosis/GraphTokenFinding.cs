namespace GraphAuthResilience.Diagnosis;

/// <summary>What the token that was sent says, read without validation: facts, never the token's text.</summary>
internal sealed class GraphTokenFinding
{
    /// <summary>Gets a value indicating whether a non-empty bearer token was sent.</summary>
    public bool Sent { get; init; }

    /// <summary>Gets the token's payload, when it was a readable JWT.</summary>
    public GraphTokenInfo? Info { get; init; }

    /// <summary>Gets why the token is not for the Graph host the request went to, or <see langword="null"/>.</summary>
    public string? WrongAudience { get; init; }

    /// <summary>Gets when the token expired, when that is before the diagnosis.</summary>
    public DateTimeOffset? ExpiredAt { get; init; }

    /// <summary>Gets a value indicating whether the token carries neither <c>scp</c> nor <c>roles</c>.</summary>
    public bool NoPermissions => Info is { Scopes.Count: 0, Roles.Count: 0 };

    /// <summary>Gets the scheme the token's permissions belong to.</summary>
    public GraphPermissionScheme? Scheme => Info is null ? null : GraphOperationPermissions.SchemeOf(Info);

    /// <summary>Gets the permissions the token holds for its kind (<c>roles</c> app-only, else <c>scp</c>).</summary>
    public IReadOnlyList<string> Held => Info is null ? [] : Info.IsAppOnly ? Info.Roles : Info.Scopes;

    /// <summary>Gets what the token holds, as <c>roles=…</c> or <c>scp=…</c>.</summary>
    public string Describe() => Info is null
        ? Sent ? "the token could not be read (not a JWT)" : "no bearer token was sent"
        : (Info.IsAppOnly ? "roles=" : "scp=") + (Held.Count == 0 ? "(none)" : string.Join(' ', Held));
}
