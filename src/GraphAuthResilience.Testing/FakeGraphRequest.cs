using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace GraphAuthResilience.Testing;

/// <summary>
/// One request <see cref="FakeGraph"/> received: its number, method, URI, whether it carried an <c>Authorization</c>
/// header and a hash of the bearer token (never the token), and the body bytes as they went over the wire.
/// </summary>
/// <remarks><see cref="ToString"/> shows the method, URI and the token's hash: safe to print in a test's output.</remarks>
public sealed class FakeGraphRequest
{
    private const string HashPrefix = "sha256:";

    private readonly Lazy<GraphTokenInfo?>? _tokenInfo;

    internal FakeGraphRequest(int number, HttpMethod method, Uri uri, AuthenticationHeaderValue? authorization, byte[]? body, long bodyLength)
    {
        Number = number;
        Method = method;
        Uri = uri;
        HasAuthorization = authorization is not null;
        AuthorizationScheme = authorization?.Scheme;
        if (authorization is { Parameter: { Length: > 0 } token })
        {
            TokenHash = HashToken(token);

            // Read on first use, not per send: a test that counts the chain's own token readings sees only the chain's.
            _tokenInfo = new Lazy<GraphTokenInfo?>(() => GraphTokenInfo.TryParse(token, out var info) ? info : null);
        }

        Body = body;
        BodyLength = bodyLength;
    }

    /// <summary>Gets the 1-based number of the send at the fake Graph.</summary>
    public int Number { get; }

    /// <summary>Gets the request's method.</summary>
    public HttpMethod Method { get; }

    /// <summary>Gets the request's URI.</summary>
    public Uri Uri { get; }

    /// <summary>Gets a value indicating whether the request carried an <c>Authorization</c> header.</summary>
    public bool HasAuthorization { get; }

    /// <summary>Gets the scheme of the <c>Authorization</c> header (<c>Bearer</c>), or <see langword="null"/> without one.</summary>
    public string? AuthorizationScheme { get; }

    /// <summary>Gets the hash (<see cref="HashToken"/>) of the credential in the <c>Authorization</c> header, or
    /// <see langword="null"/> when there was none or it was empty.</summary>
    public string? TokenHash { get; }

    /// <summary>Gets what the bearer token said (audience, tenant, scopes, roles, expiry; read without validation, as
    /// <see cref="GraphAuthException.Token"/> is), or <see langword="null"/> without a token or when it is not a JWT.</summary>
    public GraphTokenInfo? TokenInfo => _tokenInfo?.Value;

    /// <summary>Gets a value indicating whether the request carried a non-empty bearer token.</summary>
    public bool HasToken => TokenHash is not null;

    /// <summary>Gets the body bytes as the request serialised them to the wire, or <see langword="null"/> when it had no
    /// content or <see cref="FakeGraph.RecordsBodies"/> was <see langword="false"/>.</summary>
    public byte[]? Body { get; }

    /// <summary>Gets the number of body bytes sent (counted even when the body is not kept).</summary>
    public long BodyLength { get; }

    /// <summary>Gets the body as UTF-8 text, or <see langword="null"/> when <see cref="Body"/> is.</summary>
    public string? BodyText => Body is null ? null : Encoding.UTF8.GetString(Body);

    /// <summary>Hashes a token the way <see cref="TokenHash"/> does (SHA-256, hex, prefixed <c>sha256:</c>), so a test can
    /// compare what was sent with what it expected without keeping or printing the token.</summary>
    /// <param name="token">The token, or <see langword="null"/>.</param>
    /// <returns>The hash, or <see langword="null"/> for a null or empty token.</returns>
    public static string? HashToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        return HashPrefix + Convert.ToHexString(hash).ToLowerInvariant();
    }

    /// <summary>Gets a value indicating whether the request carried exactly <paramref name="token"/>.</summary>
    /// <param name="token">The token expected.</param>
    /// <returns><see langword="true"/> when the hashes match.</returns>
    public bool Carries(string? token) => TokenHash is not null && string.Equals(TokenHash, HashToken(token), StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"#{Number} {Method} {Uri} ({(HasAuthorization ? AuthorizationScheme + " " + (TokenHash?[..(HashPrefix.Length + 12)] ?? "(empty)") : "no Authorization")}, {BodyLength} body bytes)");
}
