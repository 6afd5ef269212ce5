namespace GraphAuthResilience.Challenges;

/// <summary>
/// Makes a request body safe to send twice, before the first send: already-buffered content is left as is; a
/// stream of known length up to the limit is buffered into the content; anything else is left alone and marked
/// not replayable (it is never sent twice half-read).
/// </summary>
internal static class ReplayableContent
{
    public static async ValueTask<bool> PrepareAsync(HttpRequestMessage request, long maxBufferBytes, CancellationToken cancellationToken)
    {
        var content = request.Content;
        if (content is null or ByteArrayContent or ReadOnlyMemoryContent or System.Net.Http.Json.JsonContent)
        {
            // ByteArrayContent covers StringContent and FormUrlEncodedContent; JsonContent serializes its value anew.
            return true;
        }

        // ContentLength asks the content (TryComputeLength) or reads a Content-Length the caller set.
        if (content.Headers.ContentLength is not { } length || length > maxBufferBytes)
        {
            return false;
        }

#if NET9_0_OR_GREATER
        await content.LoadIntoBufferAsync(maxBufferBytes, cancellationToken).ConfigureAwait(false);
#else
        cancellationToken.ThrowIfCancellationRequested();
        await content.LoadIntoBufferAsync(maxBufferBytes).ConfigureAwait(false);
#endif
        return true;
    }
}
