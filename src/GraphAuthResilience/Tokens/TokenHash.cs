using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace GraphAuthResilience.Tokens;

/// <summary>The name under which a token travels between instances (<see cref="IGraphTokenRejectionChannel"/>): the
/// lower-case hexadecimal SHA-256 of its UTF-8 bytes. Never reversible to the token.</summary>
internal static class TokenHash
{
    /// <summary>Hashes <paramref name="token"/>.</summary>
    /// <param name="token">The token.</param>
    /// <returns>64 lower-case hexadecimal characters.</returns>
    public static string Sha256Hex(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(token.Length));
        try
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            var length = Encoding.UTF8.GetBytes(token, rented);
            SHA256.HashData(rented.AsSpan(0, length), hash);
#if NET9_0_OR_GREATER
            return Convert.ToHexStringLower(hash);
#else
            return Convert.ToHexString(hash).ToLowerInvariant();
#endif
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }
}
