using System.Text.Json;

namespace GraphAuthResilience.Diagnosis;

/// <summary>What Graph's JSON error body said: <c>error.code</c>, <c>error.message</c> and the <c>innerError</c> ids.</summary>
internal sealed record GraphErrorBody(string? Code, string? Message, string? RequestId, string? ClientRequestId, string? Date)
{
    public static readonly GraphErrorBody Empty = new(null, null, null, null, null);

    /// <summary>Reads a body prefix; anything that is not Graph's error JSON yields <see cref="Empty"/> (or what could be read).</summary>
    public static GraphErrorBody Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return Empty;
        }

        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !TryGet(document.RootElement, "error", out var error))
            {
                return Empty;
            }

            if (error.ValueKind == JsonValueKind.String)
            {
                // OAuth-style {"error":"invalid_token","error_description":"..."}.
                return new GraphErrorBody(error.GetString(), ReadString(document.RootElement, "error_description"), null, null, null);
            }

            if (error.ValueKind != JsonValueKind.Object)
            {
                return Empty;
            }

            string? requestId = null, clientRequestId = null, date = null;
            if (TryGet(error, "innerError", out var inner) && inner.ValueKind == JsonValueKind.Object)
            {
                requestId = ReadString(inner, "request-id") ?? ReadString(inner, "requestId");
                clientRequestId = ReadString(inner, "client-request-id") ?? ReadString(inner, "clientRequestId");
                date = ReadString(inner, "date");
            }

            return new GraphErrorBody(ReadString(error, "code"), ReadString(error, "message"), requestId, clientRequestId, date);
        }
        catch (JsonException)
        {
            return Empty;
        }
    }

    private static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static string? ReadString(JsonElement element, string name) =>
        TryGet(element, name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
