using System.Buffers;

using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Challenges;

/// <summary>
/// Makes a request body safe to send twice, before the first send, without a new buffer of its size per request:
/// content already in memory, and a stream that can seek back, are left as they are; a forward-only stream (known
/// length or not) is read ahead, up to the limit, into a buffer rented from <see cref="ArrayPool{T}"/> that goes
/// back when the request (its content) is disposed; other content of known length is copied once into such a
/// buffer; content that makes its bytes on each send (JsonContent) is serialised once into a
/// <see cref="CapturedContent"/>. A body that turns out longer than the limit is sent as the part read plus the
/// rest, once, forward-only: it is never sent twice half-read, nor with other bytes.
/// </summary>
internal static class ReplayableContent
{
    private const int FirstRentBytes = 16 * 1024;

    /// <returns><see langword="true"/> when the body can be sent again.</returns>
    public static ValueTask<bool> PrepareAsync(HttpRequestMessage request, long maxBufferBytes, CancellationToken cancellationToken)
    {
        var content = request.Content;
        if (content is null or ByteArrayContent or ReadOnlyMemoryContent or PooledBodyContent)
        {
            // Fixed buffers (ByteArrayContent covers StringContent and FormUrlEncodedContent); PooledBodyContent is ours
            // from an earlier send of this message (an outer retry).
            return ValueTask.FromResult(true);
        }

        if (content is ReadAheadBodyContent)
        {
            return ValueTask.FromResult(false); // longer than the limit on an earlier send of this message
        }

        if (content is CapturedContent captured)
        {
            return ValueTask.FromResult(captured.IsReplayable); // prepared on an earlier send of this message
        }

        var declared = content.Headers.ContentLength; // asks the content (TryComputeLength) or reads the header
        if (declared is null && content is not StreamContent)
        {
            // Bytes made on each send (JsonContent re-serialises its value, maybe a one-shot sequence): serialise once,
            // now, so the replay carries the same bytes; past the limit it streams once and is not replayable.
            return CaptureAsync(request, content, maxBufferBytes, cancellationToken);
        }

        if (declared > maxBufferBytes)
        {
            return ValueTask.FromResult(false);
        }

        return content is StreamContent
            ? ReadAheadAsync(request, content, declared, maxBufferBytes, cancellationToken)
            : declared is { } length ? CopyKnownLengthAsync(request, content, length, cancellationToken) : ValueTask.FromResult(false);
    }

    private static async ValueTask<bool> CaptureAsync(HttpRequestMessage request, HttpContent content, long maxBufferBytes, CancellationToken cancellationToken)
    {
        var captured = await CapturedContent.CaptureAsync(content, maxBufferBytes, cancellationToken).ConfigureAwait(false);
        request.Content = captured;
        return captured.IsReplayable;
    }

    private static async ValueTask<bool> ReadAheadAsync(
        HttpRequestMessage request, HttpContent content, long? declared, long maxBufferBytes, CancellationToken cancellationToken)
    {
        // StreamContent hands out its own stream without buffering it (a seekable one it can also rewind itself).
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        if (stream.CanSeek)
        {
            return true; // StreamContent seeks back to where it started before every send
        }

        var limit = (int)Math.Min(maxBufferBytes, Array.MaxLength - 1);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(declared ?? FirstRentBytes, limit) + 1);

        // Nothing was sent if the read fails; the bytes read are lost with it (the buffer goes back), as in a send.
        (buffer, var read) = await PooledStreamReader.ReadAsync(stream, buffer, 0, limit, cancellationToken).ConfigureAwait(false);

        if (read <= limit)
        {
            request.Content = new PooledBodyContent(content, buffer, read);
            return true;
        }

        // Longer than the limit: the part read, then the rest, sent once.
        request.Content = new ReadAheadBodyContent(content, stream, buffer, read);
        return false;
    }

    private static async ValueTask<bool> CopyKnownLengthAsync(HttpRequestMessage request, HttpContent content, long length, CancellationToken cancellationToken)
    {
        // Some other content (multipart, a custom one) whose length is known and within the limit: serialized once
        // into a pooled buffer, which replays.
        var buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            var sink = new PooledBodyContent.FixedBufferStream(buffer, (int)length);
            await content.CopyToAsync(sink, cancellationToken).ConfigureAwait(false);
            request.Content = new PooledBodyContent(content, buffer, sink.Written);
            return true;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
