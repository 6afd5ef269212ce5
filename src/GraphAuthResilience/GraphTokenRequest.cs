namespace GraphAuthResilience;

/// <summary>What a token is needed for: the scopes, and optionally a claims challenge to meet.</summary>
/// <param name="Scopes">The scopes the token must carry, for example <c>https://graph.microsoft.com/.default</c>.</param>
public sealed record GraphTokenRequest(IReadOnlyList<string> Scopes)
{
    /// <summary>Gets the claims JSON (already decoded) from a claims challenge, or <see langword="null"/>.</summary>
    public string? Claims { get; init; }

    /// <summary>Gets a value indicating whether every cache must be bypassed and a new token minted.</summary>
    public bool ForceRefresh { get; init; }

    /// <summary>Gets the customer tenant (a GUID or a domain name) the token is for, or <see langword="null"/> for the
    /// source's own tenant. Set per request with <see cref="GraphAuthHttpRequestMessageExtensions.SetGraphTenant"/>.</summary>
    public string? TenantId { get; init; }

    /// <summary>Gets the lower-case hexadecimal SHA-256 of the token Graph rejected, when <see cref="ForceRefresh"/> is set because of a
    /// rejection: a source that can refresh only if its cached token is that one (MSAL's
    /// <c>WithAccessTokenSha256ToRefresh</c>) refreshes once per rejection however many callers share it.
    /// Internal, so the fixed public shape of this record is unchanged.</summary>
    internal string? RejectedTokenSha256 { get; init; }

    /// <summary>The lower-case hexadecimal SHA-256 of a token's UTF-8 bytes: what MSAL 4.92's
    /// <c>WithAccessTokenSha256ToRefresh</c> compares with (its XML docs say Base64, its code compares lower-case hex),
    /// and the form <see cref="IGraphTokenRejectionChannel"/> carries.</summary>
    internal static string Sha256Hex(string token) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))).ToLowerInvariant();

    /// <summary>Returns the scopes and flags, never a token.</summary>
    /// <returns>A short description safe for logs.</returns>
    public override string ToString() =>
        $"GraphTokenRequest {{ Scopes = [{string.Join(", ", Scopes)}], TenantId = {TenantId ?? "(source)"}, HasClaims = {Claims is not null}, ForceRefresh = {ForceRefresh} }}";
}
