using System.Text.Json;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Reads the top-level property names of a request's JSON body after it was sent, only when that is safe: the
/// challenge handler found the body replayable (in memory, or buffered before the first send) and it is small.
/// Tells a password reset (<c>PATCH /users/{id}</c> with <c>passwordProfile</c>) from an ordinary update.
/// </summary>
internal static class RequestBodyProbe
{
    public static async ValueTask<IReadOnlySet<string>?> ReadTopLevelPropertiesAsync(HttpRequestMessage request, bool bodyReplayable, CancellationToken cancellationToken)
    {
        var content = request.Content;
        if (content is null || content.Headers.ContentType?.MediaType is not { } mediaType
            || !mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!bodyReplayable || content.Headers.ContentLength > GraphAuthFailureHandler.MaxDiagnosisBytes)
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or HttpRequestException or IOException)
        {
            return null;
        }

        return TopLevelProperties(bytes);
    }

    internal static IReadOnlySet<string>? TopLevelProperties(ReadOnlySpan<byte> utf8)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                names.Add(reader.GetString()!);
                reader.Read();
                reader.Skip();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Keep what was read (InvalidOperationException: a name holding an escaped lone surrogate).
        }

        return names;
    }
}
