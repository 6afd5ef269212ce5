namespace GraphAuthResilience.Challenges;

/// <summary>
/// Makes a request body safe to send twice, before the first send: fixed buffers are left as is; content of known
/// length up to the limit is buffered into the content; content that makes its bytes on each send (JsonContent)
/// is serialised once into a <see cref="CapturedContent"/> that takes its place; a stream of unknown length or
/// anything past the limit is marked not replayable (it is never sent twice half-read, nor with other bytes).
/// </summary>
internal static class ReplayableContent
{
    public static async ValueTask<bool> PrepareAsync(HttpRequestMessage request, long maxBufferBytes, CancellationToken cancellationToken)
    {
        var content = request.Content;
        if (content is null or ByteArrayContent or ReadOnlyMemoryContent)
        {
            // Fixed buffers; ByteArrayContent covers StringContent and FormUrlEncodedContent.
            return true;
        }

        if (content is CapturedContent captured)
        {
            return captured.IsReplayable; // this request was prepared before (an outer retry sends it again)
        }

        // ContentLength asks the content (TryComputeLength) or reads a Content-Length the caller set.
        var length = content.Headers.ContentLength;
        if (length is null && content is not StreamContent)
        {
            // Bytes made on each send (JsonContent re-serialises its value, maybe a one-shot sequence): serialise once,
            // now, so the replay carries the same bytes; past the limit it streams once and is not replayable.
            captured = await CapturedContent.CaptureAsync(content, maxBufferBytes, cancellationToken).ConfigureAwait(false);
            request.Content = captured;
            return captured.IsReplayable;
        }

        if (length is null || length > maxBufferBytes)
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
