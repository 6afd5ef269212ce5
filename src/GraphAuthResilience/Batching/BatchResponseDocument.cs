using System.Text;
using System.Text.Json;

namespace GraphAuthResilience.Batching;

/// <summary>
/// A batch response body read with <see cref="Utf8JsonReader"/>: the answers in the order Graph gave them. Refuses
/// anything it cannot trust: not JSON, truncated, no <c>responses</c> array, an answer without id or numeric status,
/// duplicate ids.
/// </summary>
internal sealed class BatchResponseDocument
{
    private const int MaxHeaderLength = 16 * 1024;

    private BatchResponseDocument(List<BatchResponseStep> steps, Dictionary<string, BatchResponseStep> byId, bool hasAuthFailures)
    {
        Steps = steps;
        ById = byId;
        HasAuthFailures = hasAuthFailures;
    }

    public IReadOnlyList<BatchResponseStep> Steps { get; }

    public IReadOnlyDictionary<string, BatchResponseStep> ById { get; }

    /// <summary>Gets a value indicating whether any answer is a 400, 401 or 403.</summary>
    public bool HasAuthFailures { get; }

    /// <summary>
    /// A quick scan, before any parse: whether some <c>"status"</c> member holds 400, 401 or 403 (as a number or a
    /// string). A batch answer where none does has no step for the chain to fix or diagnose, so the usual all-success
    /// answer costs a vectorised search instead of a parse. The scan may say yes for a <c>"status"</c> inside a step's
    /// body (the parse then decides); it says no only when no such member exists in the text.
    /// </summary>
    public static bool MayHoldAuthFailure(ReadOnlySpan<byte> utf8)
    {
        var rest = utf8;
        while (true)
        {
            var at = rest.IndexOf("\"status\""u8);
            if (at < 0)
            {
                return false;
            }

            rest = rest[(at + 8)..];
            var i = SkipWhitespace(rest, 0);
            if (i >= rest.Length || rest[i] != (byte)':')
            {
                continue;
            }

            i = SkipWhitespace(rest, i + 1);
            if (i < rest.Length && rest[i] == (byte)'"')
            {
                i++;
            }

            if (i + 3 <= rest.Length && rest[i] == (byte)'4' && rest[i + 1] == (byte)'0' && rest[i + 2] is (byte)'0' or (byte)'1' or (byte)'3'
                && (i + 3 == rest.Length || rest[i + 3] is < (byte)'0' or > (byte)'9'))
            {
                return true;
            }
        }
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> text, int i)
    {
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
    }

    public static BatchResponseDocument? TryParse(ReadOnlySpan<byte> utf8, out string reason)
    {
        if (BatchStepArray.TryRead<BatchResponseStep>(utf8, "responses", "the answer", ReadStep, out reason) is not { } steps)
        {
            return null;
        }

        var byId = new Dictionary<string, BatchResponseStep>(steps.Count, StringComparer.Ordinal);
        var failures = false;
        foreach (var step in steps)
        {
            if (!byId.TryAdd(step.Id, step))
            {
                reason = "duplicate answer ids";
                return null;
            }

            failures |= step.IsAuthFailure;
        }

        reason = string.Empty;
        return new BatchResponseDocument(steps, byId, failures);
    }

    private static BatchResponseStep? ReadStep(ref Utf8JsonReader reader, out string reason)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reason = "an answer that is not an object";
            return null;
        }

        var start = (int)reader.TokenStartIndex;
        string? id = null;
        int? status = null;
        string? wwwAuthenticate = null, requestId = null, clientRequestId = null;
        var body = (-1, -1);
        var bodyIsString = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                if (id is not null)
                {
                    reason = "an answer with two ids";
                    return null;
                }

                id = BatchRequestDocument.ReadScalar(ref reader);
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                if (status is not null)
                {
                    reason = "an answer with two statuses";
                    return null;
                }

                status = ReadStatus(ref reader);
            }
            else if (reader.ValueTextEquals("headers"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    // Only the three names read below are made strings (10, 16 and 17 characters unless escaped).
                    var name = reader.ValueIsEscaped || reader.ValueSpan.Length is 10 or 16 or 17 ? reader.GetString() : null;
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > MaxHeaderLength)
                    {
                        reader.Skip();
                        continue;
                    }

                    if (string.Equals(name, "WWW-Authenticate", StringComparison.OrdinalIgnoreCase))
                    {
                        wwwAuthenticate = wwwAuthenticate is null ? reader.GetString() : wwwAuthenticate + ", " + reader.GetString();
                    }
                    else if (string.Equals(name, "request-id", StringComparison.OrdinalIgnoreCase))
                    {
                        requestId = reader.GetString();
                    }
                    else if (string.Equals(name, "client-request-id", StringComparison.OrdinalIgnoreCase))
                    {
                        clientRequestId = reader.GetString();
                    }
                }
            }
            else if (reader.ValueTextEquals("body"u8))
            {
                reader.Read();
                var valueStart = (int)reader.TokenStartIndex;
                bodyIsString = reader.TokenType == JsonTokenType.String;
                reader.Skip();
                body = (valueStart, (int)reader.BytesConsumed);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (string.IsNullOrEmpty(id) || status is null)
        {
            reason = "an answer without id or status";
            return null;
        }

        reason = string.Empty;
        return new BatchResponseStep
        {
            Id = id,
            Status = status.Value,
            Start = start,
            End = (int)reader.BytesConsumed,
            WwwAuthenticate = wwwAuthenticate,
            RequestId = requestId,
            ClientRequestId = clientRequestId,
            Body = body,
            BodyIsString = bodyIsString,
        };
    }

    private static int? ReadStatus(ref Utf8JsonReader reader)
    {
        int value;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out value))
        {
            return value is >= 100 and <= 599 ? value : null;
        }

        // Tolerate "200" as a string, as some proxies re-encode it.
        if (reader.TokenType == JsonTokenType.String && int.TryParse(Encoding.UTF8.GetString(reader.ValueSpan), out value))
        {
            return value is >= 100 and <= 599 ? value : null;
        }

        return null;
    }

    /// <summary>Decodes an answer's body to the bytes Graph sent: the JSON value as is, or a base64 string decoded.</summary>
    internal static ReadOnlyMemory<byte> BodyBytes(ReadOnlyMemory<byte> document, BatchResponseStep step)
    {
        if (step.Body.Start < 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        var raw = document[step.Body.Start..step.Body.End];
        if (!step.BodyIsString)
        {
            return raw;
        }

        var reader = new Utf8JsonReader(raw.Span);
        try
        {
            reader.Read();
            var text = reader.GetString();
            if (text is null)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            var buffer = new byte[(text.Length * 3 / 4) + 3];
            return Convert.TryFromBase64String(text, buffer, out var written) ? buffer.AsMemory(0, written) : Encoding.UTF8.GetBytes(text);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return ReadOnlyMemory<byte>.Empty;
        }
    }
}
