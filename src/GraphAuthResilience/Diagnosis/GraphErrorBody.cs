using System.Text.Json;

namespace GraphAuthResilience.Diagnosis;

/// <summary>What Graph's JSON error body said: <c>error.code</c>, <c>error.message</c> and the <c>innerError</c> ids.</summary>
internal sealed record GraphErrorBody(string? Code, string? Message, string? RequestId, string? ClientRequestId, string? Date)
{
    public static readonly GraphErrorBody Empty = new(null, null, null, null, null);

    /// <summary>
    /// Reads a body prefix token by token, keeping what it found before any point where the text stops being JSON
    /// (a truncated prefix, garbage, HTML): anything unreadable yields <see cref="Empty"/> or what could be read.
    /// Also reads the OAuth form <c>{"error":"invalid_token","error_description":"..."}</c>.
    /// </summary>
    public static GraphErrorBody Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return Empty;
        }

        // Skip a UTF-8 byte order mark.
        if (utf8.Length >= 3 && utf8[0] == 0xEF && utf8[1] == 0xBB && utf8[2] == 0xBF)
        {
            utf8 = utf8[3..];
        }

        string? code = null, message = null, requestId = null, clientRequestId = null, date = null;
        string? oauthError = null, oauthDescription = null;
        var path = new List<string?>(8);
        string? pending = null;
        var finished = false;
        var reader = new Utf8JsonReader(utf8, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions
        {
            MaxDepth = 64,
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
        }));
        try
        {
            while (!finished && reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        if (path.Count == 0 && reader.TokenType != JsonTokenType.StartObject)
                        {
                            return Empty; // Graph's error is an object.
                        }

                        path.Add(pending);
                        pending = null;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        finished = path.Count == 0;

                        break;
                    case JsonTokenType.PropertyName:
                        pending = reader.GetString();
                        break;
                    default:
                        if (path.Count == 0)
                        {
                            return Empty; // A bare value is not Graph's error.
                        }

                        var value = reader.TokenType switch
                        {
                            JsonTokenType.String => reader.GetString(),
                            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                            _ => null,
                        };
                        if (path.Count == 1)
                        {
                            if (Is(pending, "error") && reader.TokenType == JsonTokenType.String)
                            {
                                oauthError ??= value;
                            }
                            else if (Is(pending, "error_description"))
                            {
                                oauthDescription ??= value;
                            }
                        }
                        else if (path.Count == 2 && Is(path[1], "error"))
                        {
                            if (Is(pending, "code"))
                            {
                                code ??= value;
                            }
                            else if (Is(pending, "message"))
                            {
                                message ??= value;
                            }
                        }
                        else if (path.Count == 3 && Is(path[1], "error") && Is(path[2], "innerError"))
                        {
                            if (Is(pending, "request-id") || Is(pending, "requestId"))
                            {
                                requestId ??= value;
                            }
                            else if (Is(pending, "client-request-id") || Is(pending, "clientRequestId"))
                            {
                                clientRequestId ??= value;
                            }
                            else if (Is(pending, "date"))
                            {
                                date ??= value;
                            }
                        }

                        pending = null;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON from here on: keep what was read before.
        }
        catch (InvalidOperationException)
        {
            // A string with invalid UTF-8 or escapes: keep what was read before.
        }

        if (code is null && message is null && oauthError is not null)
        {
            return new GraphErrorBody(oauthError, oauthDescription, null, null, null);
        }

        return code is null && message is null && requestId is null && clientRequestId is null && date is null
            ? Empty
            : new GraphErrorBody(code, message, requestId, clientRequestId, date);
    }

    private static bool Is(string? name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);
}
