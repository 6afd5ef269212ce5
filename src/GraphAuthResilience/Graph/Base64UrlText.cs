using System.Buffers.Text;
using System.Text;

namespace GraphAuthResilience.Graph;

/// <summary>Decodes base64 in every form Graph and Entra ID use: standard or url-safe, padded or not.</summary>
internal static class Base64UrlText
{
    /// <summary>Decodes <paramref name="value"/> as base64 (standard or url-safe, padding optional).</summary>
    /// <returns>The bytes, or <see langword="null"/> when the value is not base64.</returns>
    public static byte[]? TryDecode(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        while (!value.IsEmpty && value[^1] == '=')
        {
            value = value[..^1];
        }

        if (value.IsEmpty || value.Length % 4 == 1)
        {
            return null;
        }

        // Normalise to the url-safe alphabet, unpadded, and let System.Buffers.Text.Base64Url (the BCL from net9.0,
        // Microsoft.Bcl.Memory on net8.0) validate and decode it.
        Span<char> chars = value.Length <= 1024 ? stackalloc char[value.Length] : new char[value.Length];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '/' or '-' or '_'))
            {
                // Whitespace or stray padding inside the value: not base64 as Graph or Entra ID send it.
                return null;
            }

            chars[i] = c switch
            {
                '+' => '-',
                '/' => '_',
                _ => c,
            };
        }

        if (!Base64Url.IsValid(chars, out var length))
        {
            return null;
        }

        var bytes = new byte[length];
        try
        {
            return Base64Url.TryDecodeFromChars(chars, bytes, out var written) && written == length ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Decodes base64 text into UTF-8 text.</summary>
    /// <returns>The text, or <see langword="null"/> when the value is not base64 or not UTF-8.</returns>
    public static string? TryDecodeUtf8(ReadOnlySpan<char> value)
    {
        var bytes = TryDecode(value);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
