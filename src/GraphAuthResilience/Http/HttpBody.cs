using System.Buffers;

namespace GraphAuthResilience.Http;

/// <summary>
/// The one bounded, pooled body reader of the chain, used by the challenge, <c>$batch</c> and failure handlers. It
/// never reads more than a bound into memory, borrows its buffers from <see cref="ArrayPool{T}"/>, and always leaves
/// the body whole for whoever reads it next: what it read is served again, then the rest of the stream, once.
/// </summary>
/// <remarks>
/// <para><see cref="PrepareReplayAsync"/> makes a request body safe to send twice, before the first send, without a new buffer of its size per request:
/// content already in memory, and a stream that can seek back, are left as they are; a forward-only stream (known
/// length or not) is read ahead, up to the limit, into a buffer rented from <see cref="ArrayPool{T}"/> that goes
/// back when the request (its content) is disposed; other content of known length is copied once into such a
/// buffer; content that makes its bytes on each send (JsonContent) is serialised once into a
/// <see cref="CapturedContent"/>. A body that turns out longer than the limit is sent as the part read plus the
/// rest, once, forward-only: it is never sent twice half-read, nor with other bytes.</para>
/// <para><see cref="ReadWholeAsync"/> reads a whole response body up to a bound (a batch answer);
/// <see cref="ReadPrefixAsync"/> reads at most a bounded prefix of one (an error answer to diagnose).</para>
/// </remarks>
internal static class HttpBody
{
    private const int FirstRentBytes = 16 * 1024;

    /// <summary>Makes the body of <paramref name="request"/> safe to send twice, if it is at most <paramref name="maxBufferBytes"/>.</summary>
    /// <param name="request">The request, before its first send.</param>
    /// <param name="maxBufferBytes">The most bytes buffered.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns><see langword="true"/> when the body can be sent again.</returns>
    public static ValueTask<bool> PrepareReplayAsync(HttpRequestMessage request, long maxBufferBytes, CancellationToken cancellationToken)
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

    /// <summary>Reads a request body that <see cref="PrepareReplayAsync"/> found replayable (so reading it sends nothing
    /// twice), or <see langword="null"/> when there is none or it cannot be read again.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The bytes, or <see langword="null"/>.</returns>
    public static async ValueTask<byte[]?> ReadRequestAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not { } content)
        {
            return null;
        }

        try
        {
            return await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or HttpRequestException or IOException)
        {
            return null;
        }
    }

    /// <summary>Reads the whole body of <paramref name="response"/> when it holds at most <paramref name="maxBytes"/>,
    /// and leaves it readable: a body already in memory is read in place; a stream is read into a pooled buffer and the
    /// response gets the bytes as its content (same headers); a stream longer than the bound keeps its bytes (the part
    /// read, then the rest).</summary>
    /// <param name="response">The response.</param>
    /// <param name="maxBytes">The most bytes read.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The body, or <see langword="null"/> when it is larger (the response is then as readable as before).</returns>
    public static async ValueTask<byte[]?> ReadWholeAsync(HttpResponseMessage response, long maxBytes, CancellationToken cancellationToken)
    {
        var content = response.Content;
        var declared = content.Headers.ContentLength;
        if (declared > maxBytes)
        {
            return null;
        }

        if (content is ByteArrayContent or ReadOnlyMemoryContent)
        {
            // Already in memory and readable again: no copy kept in the response.
            return await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var limit = (int)Math.Min(maxBytes, Array.MaxLength - 1);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(declared is > 0 ? declared.Value : FirstRentBytes, limit) + 1);
        (buffer, var read) = await PooledStreamReader.ReadAsync(stream, buffer, 0, limit, cancellationToken).ConfigureAwait(false);
        try
        {
            var bytes = buffer.AsSpan(0, read).ToArray();
            if (read > limit)
            {
                // Too large to inspect: the caller reads what was read, then the rest of the stream.
                response.Content = CopyHeaders(content, new StreamContent(new PrefixedStream(bytes, stream)), keepLength: true);
                return null;
            }

            response.Content = CopyHeaders(content, new ByteArrayContent(bytes), keepLength: false);
            content.Dispose();
            return bytes;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads at most <paramref name="maxBytes"/> of the body of <paramref name="response"/> and leaves the body
    /// whole for the caller: a body of known length within the bound is buffered in place; any other is read into a
    /// pooled buffer up to the bound and replaced by content that serves the part read, then the rest.</summary>
    /// <param name="response">The response.</param>
    /// <param name="maxBytes">The most bytes read.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The first bytes of the body, at most <paramref name="maxBytes"/>.</returns>
    public static async ValueTask<byte[]> ReadPrefixAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        var content = response.Content;
        if (content is null)
        {
            return [];
        }

        if (content.Headers.ContentLength is { } length && length <= maxBytes)
        {
#if NET9_0_OR_GREATER
            await content.LoadIntoBufferAsync(maxBytes, cancellationToken).ConfigureAwait(false);
#else
            cancellationToken.ThrowIfCancellationRequested();
            await content.LoadIntoBufferAsync(maxBytes).ConfigureAwait(false);
#endif
            return await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            var read = 0;
            int n;
            while (read < maxBytes && (n = await stream.ReadAsync(buffer.AsMemory(read, maxBytes - read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }

            var prefix = buffer.AsSpan(0, read).ToArray();
            response.Content = CopyHeaders(content, new StreamContent(new PrefixedStream(prefix, stream)), keepLength: true);
            return prefix;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Gets a value indicating whether a body is a JSON text that can be read as it is (a JSON media type, not compressed).</summary>
    /// <param name="content">The body.</param>
    /// <returns><see langword="true"/> for readable JSON.</returns>
    public static bool IsReadableJson(HttpContent? content) =>
        content is not null
        && content.Headers.ContentType?.MediaType is { } mediaType
        && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase)
        && content.Headers.ContentEncoding.Count == 0;

    /// <summary>Copies the headers of <paramref name="from"/> onto <paramref name="to"/>.</summary>
    /// <param name="from">The content replaced.</param>
    /// <param name="to">The content replacing it.</param>
    /// <param name="keepLength">Whether <c>Content-Length</c> is copied too (not when <paramref name="to"/> knows its own).</param>
    /// <returns><paramref name="to"/>.</returns>
    public static HttpContent CopyHeaders(HttpContent from, HttpContent to, bool keepLength)
    {
        foreach (var header in from.Headers.NonValidated)
        {
            if (!keepLength && string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            to.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return to;
    }
}
