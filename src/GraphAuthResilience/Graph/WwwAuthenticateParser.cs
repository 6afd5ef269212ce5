using System.Net.Http.Headers;
using System.Text;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Graph;

/// <summary>
/// Reads <c>WWW-Authenticate</c> challenges. MSAL's <see cref="WwwAuthenticateParameters"/> reads the typed header
/// collection, which .NET empties when a value does not validate (Graph has sent <c>authorization_uri</c>
/// unquoted, msgraph-sdk-dotnet #1416); so the raw values from <see cref="HttpHeaders.NonValidated"/> are read
/// too, with a tolerant tokenizer: several challenges per header, either parameter order, quoted or bare values,
/// a space before <c>=</c>, and no scheme at all.
/// </summary>
internal static class WwwAuthenticateParser
{
    internal const int MaxHeaderLength = 16 * 1024;
    internal const string HeaderName = "WWW-Authenticate";

    /// <summary>Challenges read at most from all the values of one response (each value is cut at
    /// <see cref="MaxHeaderLength"/>), so many values cost no more than a few.</summary>
    internal const int MaxChallenges = 64;

    /// <summary>Reads every challenge in the response's <c>WWW-Authenticate</c> headers, in time linear in their
    /// length.</summary>
    /// <remarks>The typed collection (<see cref="HttpResponseHeaders.WwwAuthenticate"/>, even its <c>Count</c>)
    /// is parsed by .NET in time quadratic in the number of challenges of one value (about a second for a hostile
    /// 512 KiB header), so it is touched only when the raw values, bounded, gave no challenge at all.</remarks>
    public static IReadOnlyList<AuthenticationChallenge> Parse(HttpResponseHeaders headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var challenges = new List<AuthenticationChallenge>();
        long rawLength = 0;
        if (headers.NonValidated.TryGetValues(HeaderName, out var values))
        {
            foreach (var value in values)
            {
                rawLength += value.Length;
                if (challenges.Count < MaxChallenges)
                {
                    challenges.AddRange(ParseValue(value, MaxChallenges - challenges.Count));
                }
            }
        }

        if (challenges.Count > 0 || rawLength == 0 || rawLength > MaxHeaderLength)
        {
            return challenges;
        }

        // The raw values, short, gave no challenge: ask MSAL too, in case its reading finds what ours did not.
        try
        {
            foreach (var parameters in WwwAuthenticateParameters.CreateFromAuthenticationHeaders(headers))
            {
                if (!string.IsNullOrEmpty(parameters.Claims))
                {
                    var dictionary = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["claims"] = parameters.Claims };
                    if (parameters.Error is { } error)
                    {
                        dictionary["error"] = error;
                    }

                    challenges.Add(new AuthenticationChallenge(parameters.AuthenticationScheme, dictionary));
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or MsalException)
        {
            // MSAL could not read it either; the raw reading stands.
        }

        return challenges;
    }

    /// <summary>Reads the challenges of one raw header value (its first <see cref="MaxHeaderLength"/> characters, at
    /// most <paramref name="maxChallenges"/> challenges).</summary>
    public static IReadOnlyList<AuthenticationChallenge> Parse(string? value, int maxChallenges = MaxChallenges) =>
        ParseValue(value, maxChallenges);

    private static List<AuthenticationChallenge> ParseValue(string? value, int maxChallenges)
    {
        var result = new List<AuthenticationChallenge>();
        if (string.IsNullOrWhiteSpace(value))
        {
            return result;
        }

        if (value.Length > MaxHeaderLength)
        {
            value = value[..MaxHeaderLength];
        }

        string? scheme = null;
        Dictionary<string, string>? parameters = null;
        var i = 0;
        while (i < value.Length)
        {
            SkipSeparators(value, ref i);
            if (i >= value.Length)
            {
                break;
            }

            var token = ReadToken(value, ref i);
            if (token.Length == 0)
            {
                // A stray character (a quote or '=' with no name): skip it.
                i++;
                continue;
            }

            var afterToken = i;
            SkipWhitespace(value, ref i);
            if (i < value.Length && value[i] == '=')
            {
                i++;
                SkipWhitespace(value, ref i);
                var parameterValue = ReadValue(value, ref i);
                parameters ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                parameters.TryAdd(token, parameterValue);
                continue;
            }

            // A token with no '=' starts a new challenge (its scheme).
            i = afterToken;
            if (scheme is not null || parameters is not null)
            {
                result.Add(new AuthenticationChallenge(scheme, (IReadOnlyDictionary<string, string>?)parameters ?? new Dictionary<string, string>()));
                if (result.Count >= maxChallenges)
                {
                    return result;
                }
            }

            scheme = token;
            parameters = null;
        }

        if (scheme is not null || parameters is not null)
        {
            result.Add(new AuthenticationChallenge(scheme, (IReadOnlyDictionary<string, string>?)parameters ?? new Dictionary<string, string>()));
        }

        return result;
    }

    private static void SkipSeparators(string s, ref int i)
    {
        while (i < s.Length && (char.IsWhiteSpace(s[i]) || s[i] == ','))
        {
            i++;
        }
    }

    private static void SkipWhitespace(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }
    }

    private static string ReadToken(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && !char.IsWhiteSpace(s[i]) && s[i] is not ('=' or ',' or '"'))
        {
            i++;
        }

        return s[start..i];
    }

    private static string ReadValue(string s, ref int i)
    {
        if (i < s.Length && s[i] == '"')
        {
            i++;
            var builder = new StringBuilder();
            while (i < s.Length && s[i] != '"')
            {
                if (s[i] == '\\' && i + 1 < s.Length)
                {
                    i++;
                }

                builder.Append(s[i]);
                i++;
            }

            i++; // closing quote (or end of input)
            return builder.ToString();
        }

        var start = i;
        while (i < s.Length && s[i] != ',' && !char.IsWhiteSpace(s[i]))
        {
            i++;
        }

        return s[start..i];
    }
}
