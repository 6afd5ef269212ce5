using System.Globalization;
using GraphAuthResilience.Graph;

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

/// <summary>Reads the token that was sent: whether there was one, its audience and cloud against the request's host,
/// its expiry against the diagnosis time, its kind and what it holds.</summary>
internal static class GraphTokenReader
{
    /// <summary>Reads the token facts.</summary>
    /// <param name="sent">Whether a non-empty bearer token was sent.</param>
    /// <param name="token">The payload, when readable.</param>
    /// <param name="requestUri">Where the request went.</param>
    /// <param name="now">The time of the diagnosis.</param>
    /// <returns>The finding.</returns>
    public static GraphTokenFinding Read(bool sent, GraphTokenInfo? token, Uri? requestUri, DateTimeOffset now) => new()
    {
        Sent = sent,
        Info = token,
        WrongAudience = token is null ? null : WrongAudience(token, requestUri),
        ExpiredAt = token?.ExpiresOn is { } exp && exp <= now ? exp : null,
    };

    private static string? WrongAudience(GraphTokenInfo token, Uri? requestUri)
    {
        if (!token.IsGraphAudience)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The token's audience is '{token.Audience ?? "(none)"}' ({GraphClouds.AudienceName(token.Audience)}), not Microsoft Graph.");
        }

        if (Uri.TryCreate(token.Audience, UriKind.Absolute, out var audience) && requestUri is { IsAbsoluteUri: true }
            && GraphClouds.CloudOf(audience.Host) is { } tokenCloud && GraphClouds.CloudOf(requestUri.Host) is { } requestCloud
            && !string.Equals(tokenCloud, requestCloud, StringComparison.Ordinal))
        {
            return $"The token is for {audience.Host} but the request went to {requestUri.Host}: a token of one cloud cannot call another.";
        }

        return null;
    }
}
