using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace GraphAuthResilience.Graph;

/// <summary>
/// Text that came in an answer (Graph's error codes, request ids and messages, a step id, a token endpoint's error
/// code, a header value, claims) made safe for a log line, an exception message or a terminal: control characters
/// (C0 and C1, DEL), line and paragraph separators, bidirectional overrides and lone surrogates are escaped
/// (<c>\r</c>, <c>\n</c>, <c>\t</c>, else <c>\uXXXX</c>), so that no value starts a new log line or sends an ANSI or
/// OSC sequence to a terminal; and the result is at most a given length, cut with '…'. Text that needs neither is
/// returned as it is, without allocating. The one place that does this: every reader of an answer value uses it.
/// </summary>
internal static class SafeText
{
    /// <summary>The longest code or id kept (Graph's request ids are 36 characters; AADSTS codes a dozen).</summary>
    public const int MaxValueLength = 128;

    /// <summary>The longest step id kept in a log line.</summary>
    public const int MaxStepIdLength = 40;

    /// <summary>The longest message or sentence kept (an exception's message, an evidence sentence quoting Graph).</summary>
    public const int MaxMessageLength = 2048;

    /// <summary>The longest claims value printed (claims are kept exact for MSAL; only what is printed is cut).</summary>
    public const int MaxClaimsLength = 4096;

    /// <summary>Gets <paramref name="value"/> escaped and cut to <see cref="MaxValueLength"/>; <see langword="null"/> stays null.</summary>
    [return: NotNullIfNotNull(nameof(value))]
    public static string? Value(string? value) => value is null ? null : Bound(value, MaxValueLength);

    /// <summary>Gets <paramref name="message"/> escaped and cut to <see cref="MaxMessageLength"/>.</summary>
    [return: NotNullIfNotNull(nameof(message))]
    public static string? Message(string? message) => message is null ? null : Bound(message, MaxMessageLength);

    /// <summary>Gets a step id for a log line: escaped and cut to <see cref="MaxStepIdLength"/>.</summary>
    public static string StepId(string id) => Bound(id, MaxStepIdLength);

    /// <summary>Gets <paramref name="text"/> with every unsafe character escaped, at most <paramref name="maxLength"/>
    /// characters long (and '…' when cut).</summary>
    public static string Bound(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= maxLength && IsSafe(text))
        {
            return text;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 1);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            var piece = pair ? 2 : MustEscape(c) ? EscapedLength(c) : 1;
            if (builder.Length + piece > maxLength)
            {
                return builder.Append('…').ToString();
            }

            if (pair)
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (MustEscape(c))
            {
                AppendEscaped(builder, c);
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Gets a value indicating whether <paramref name="text"/> has nothing to escape.</summary>
    public static bool IsSafe(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (MustEscape(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool MustEscape(char c) =>
        char.IsControl(c)                        // C0, DEL, C1 (ESC, CSI, OSC, NUL, CR, LF, BEL...)
        || char.IsSurrogate(c)                   // a lone surrogate (pairs are handled by the callers)
        || c is '\u2028' or '\u2029'             // line and paragraph separators
        || c is >= '\u200e' and <= '\u200f'      // left-to-right and right-to-left marks
        || c is >= '\u202a' and <= '\u202e'      // bidirectional embeddings and overrides
        || c is >= '\u2066' and <= '\u2069'      // bidirectional isolates
        || c == '\ufeff';                        // byte order mark

    private static int EscapedLength(char c) => c is '\r' or '\n' or '\t' ? 2 : 6;

    private static void AppendEscaped(StringBuilder builder, char c)
    {
        _ = c switch
        {
            '\r' => builder.Append("\\r"),
            '\n' => builder.Append("\\n"),
            '\t' => builder.Append("\\t"),
            _ => builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
        };
    }
}
