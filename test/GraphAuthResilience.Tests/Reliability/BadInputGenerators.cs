using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace GraphAuthResilience.Tests.Reliability;

/// <summary>FsCheck generators of hostile input: soups of the right fragments, mutated real samples, huge and deep values.</summary>
internal static class BadInputGenerators
{
    public const string CaeClaimsBase64 = "eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTcwMjY4MjE4MSJ9fX0=";

    public static readonly string[] RealChallenges =
    [
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\", errorDescription=\"Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp\", error=\"insufficient_claims\", claims=\"" + CaeClaimsBase64 + "\"",
        "Bearer realm=\"\", authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize, client_id=\"00000003-0000-0000-c000-000000000000\", error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTY1NzgzNDQxNyJ9fX0=\", errorDescription=\"Continuous access evaluation resulted in claims challenge\"",
        "authorization_url =\"https://login.microsoftonline.com/common/oauth2/authorize\",error=\"insufficient_claims\",claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6ZmFsc2UsInZhbHVlIjoxNTM5Mjg0Mzc2fX19\"",
        "Bearer authorization_uri=\"https://login.windows-ppe.net/\", error=\"invalid_token\", error_description=\"User session has been revoked\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwMzc0MjgwMCJ9fX0=\"",
        "Bearer authorization_uri=https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/authorize resource_id=https://storage.azure.com",
        "PoP nonce=\"someNonce\", Bearer error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnt9fQ==\"",
    ];

    public static readonly string[] RealErrorBodies =
    [
        """{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid.","innerError":{"date":"2026-11-25T07:00:00","request-id":"a1b2c3d4-0000-4000-8000-000000000001","client-request-id":"a1b2c3d4-0000-4000-8000-000000000002"}}}""",
        """{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"request-id":"r","client-request-id":"c"}}}""",
        """{"error":{"code":"BadRequest","message":"/me request is only valid with delegated authentication flow."}}""",
        """{"error":"invalid_token","error_description":"The token is expired"}""",
        """{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}}""",
    ];

    private const string Inserts = "\",= {}[]\\\0\u00e9";

    private static readonly string[] HeaderFragments =
    [
        "Bearer", "PoP", "Basic", " ", ",", "=", "\"", "\\", "\\\"", "realm", "realm=\"\"", "error=\"insufficient_claims\"", "error=", "claims=",
        "claims=\"", CaeClaimsBase64, "eyJ", "e30", "e30=", "{}", "{\"access_token\":{}}", "{", "}", "[", "]", "authorization_uri=", "https://login.microsoftonline.com/",
        "\t", "\r\n", "\0", "\u00e9", "\ud83d\ude00", "\ufffd", "====", "-_+/", ",,,,", "=\"=\"", "\"\"\"",
    ];

    private static readonly string[] JsonFragments =
    [
        "{", "}", "[", "]", ":", ",", "\"", "\"access_token\"", "\"nbf\"", "\"essential\"", "true", "false", "null", "1702682181", "-0", "1e999", "\"\\u0000\"",
        "\"\\ud800\"", "{\"a\":", "\"error\"", "\"code\"", "\"message\"", "\"innerError\"", "\"request-id\"", " ", "\n", "/*", "*/", "//", "\u00e9", "\\",
    ];

    /// <summary>Arbitrary strings, fragment soups, mutated real samples and a few huge values.</summary>
    /// <remarks>Lone UTF-16 surrogates are replaced by U+FFFD: header values come off the wire decoded from bytes
    /// and cannot hold them. (What happens when an in-process handler does put one there is a separate test.)</remarks>
    public static Gen<string> Text(string[] samples, string[] fragments) => Gen.Frequency(
        (2, ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty)),
        (3, Soup(fragments)),
        (3, Mutated(samples)),
        (1, Huge(fragments))).Select(WireText);

    public static string WireText(string value)
    {
        var chars = value.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '\ufffd';
            }
        }

        return new string(chars);
    }

    public static Gen<string> HeaderText() => Text(RealChallenges, HeaderFragments);

    public static Gen<string> JsonText() => Text(RealErrorBodies, JsonFragments).Or(Nested());

    public static Gen<string> Soup(string[] fragments) =>
        Gen.Elements(fragments).ListOf().Select(parts => string.Concat(parts));

    public static Gen<string> Mutated(string[] samples) =>
        from sample in Gen.Elements(samples)
        from edits in Gen.Choose(1, 6)
        from seed in Gen.Choose(0, int.MaxValue)
        select Mutate(sample, edits, seed);

    public static Gen<string> Huge(string[] fragments) =>
        from fragment in Gen.Elements(fragments)
        from times in Gen.Choose(1_000, 40_000)
        select string.Concat(Enumerable.Repeat(fragment, times));

    /// <summary>Deeply nested JSON, open or closed, objects or arrays (depths well past every MaxDepth used).</summary>
    public static Gen<string> Nested() =>
        from depth in Gen.Choose(10, 5_000)
        from arrays in Gen.Elements(true, false)
        from closed in Gen.Elements(true, false)
        select BuildNested(depth, arrays, closed);

    public static string Mutate(string sample, int edits, int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder(sample);
        for (var i = 0; i < edits && builder.Length > 0; i++)
        {
            var at = random.Next(builder.Length);
            switch (random.Next(5))
            {
                case 0: builder.Remove(at, Math.Min(random.Next(1, 8), builder.Length - at)); break;
                case 1: builder.Insert(at, Inserts[random.Next(Inserts.Length)]); break;
                case 2: builder[at] = (char)random.Next(0, 0x3000); break;
                case 3: builder.Length = at; break; // truncated
                default: builder.Insert(at, sample.AsSpan(0, Math.Min(sample.Length, random.Next(1, 40)))); break;
            }
        }

        return builder.ToString();
    }

    public static string BuildNested(int depth, bool arrays, bool closed)
    {
        var builder = new StringBuilder(depth * 8);
        for (var i = 0; i < depth; i++)
        {
            builder.Append(arrays ? "[" : "{\"error\":");
        }

        builder.Append("\"x\"");
        if (closed)
        {
            builder.Append(arrays ? ']' : '}', depth);
        }

        return builder.ToString();
    }

    /// <summary>Encodes claims JSON the ways a challenge may carry it: standard base64 (padded or not), base64url, plain JSON.</summary>
    public static string Encode(string json, int style)
    {
        var b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
        return style switch
        {
            0 => b64,
            1 => b64.TrimEnd('='),
            2 => b64.TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            _ => json,
        };
    }
}
