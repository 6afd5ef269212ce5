using System.Text.Json;

namespace GraphAuthResilience.Graph;

/// <summary>Decodes the <c>claims</c> of a challenge into the JSON MSAL needs.</summary>
internal static class ClaimsChallenge
{
    internal const int MaxClaimsLength = 16 * 1024;

    /// <summary>Turns a claims value (standard base64, padded or not, base64url, or plain JSON) into JSON.</summary>
    /// <returns>The claims JSON, or <see langword="null"/> when the value is neither base64 of a JSON object nor one.</returns>
    public static string? ToJson(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw) || raw.Length > MaxClaimsLength)
        {
            return null;
        }

        var trimmed = raw.Trim();
        if (trimmed.StartsWith('{'))
        {
            return IsJsonObject(trimmed) ? trimmed : null;
        }

        var decoded = Base64UrlText.TryDecodeUtf8(trimmed);
        return decoded is not null && IsJsonObject(decoded.Trim()) ? decoded.Trim() : null;
    }

    /// <summary>Finds the claims challenge among <paramref name="challenges"/>: a Bearer (or scheme-less) challenge
    /// with decodable claims, preferring <c>error="insufficient_claims"</c>.</summary>
    public static (AuthenticationChallenge Challenge, string ClaimsJson)? Find(IReadOnlyList<AuthenticationChallenge> challenges)
    {
        (AuthenticationChallenge, string)? fallback = null;
        foreach (var challenge in challenges)
        {
            if (!challenge.IsBearer || ToJson(challenge.RawClaims) is not { } json)
            {
                continue;
            }

            if (string.Equals(challenge.Error, "insufficient_claims", StringComparison.OrdinalIgnoreCase))
            {
                return (challenge, json);
            }

            fallback ??= (challenge, json);
        }

        return fallback;
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 32 });
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
