using System.Buffers;

using GraphAuthResilience.Http;

namespace GraphAuthResilience.Batching;

/// <summary>
/// Reads batch bodies in full, up to a bound, and always leaves them readable: a buffered response body is read in
/// place; a stream is read into memory and the response gets that memory as its content (same headers); a stream
/// that turns out larger than the bound keeps its bytes: the part already read is served first, then the rest.
/// </summary>
internal static class BatchBody
{
    /// <summary>Whether a response body is a JSON text this handler can read (not compressed, a JSON media type).</summary>
    public static bool IsReadableJson(HttpContent? content) =>
        content is not null
        && content.Headers.ContentType?.MediaType is { } mediaType
        && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase)
        && content.Headers.ContentEncoding.Count == 0;

    /// <summary>Reads the whole body of <paramref name="response"/> when it holds at most <paramref name="maxBytes"/>.</summary>
    /// <returns>The body, or <see langword="null"/> when it is larger (the response is then as readable as before).</returns>
    public static async ValueTask<byte[]?> ReadResponseAsync(HttpResponseMessage response, long maxBytes, CancellationToken cancellationToken)
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
        if (declared is { } length and > 0)
        {
            // The usual case: a known length. Read it into one exact array; anything else (shorter, longer) goes the
            // general way below with what was read so far.
            var exact = new byte[length];
            var filled = 0;
            int n;
            while (filled < exact.Length && (n = await stream.ReadAsync(exact.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
            {
                filled += n;
            }

            var extra = filled == exact.Length ? await ReadOneAsync(stream, cancellationToken).ConfigureAwait(false) : -1;
            if (filled == exact.Length && extra < 0)
            {
                response.Content = CopyHeaders(content, new ByteArrayContent(exact), keepLength: false);
                content.Dispose();
                return exact;
            }

            if (filled < exact.Length)
            {
                // Shorter than declared: the stream has ended; hand on what arrived.
                var shorter = exact.AsSpan(0, filled).ToArray();
                response.Content = CopyHeaders(content, new ByteArrayContent(shorter), keepLength: false);
                content.Dispose();
                return shorter;
            }

            // Longer than declared: the bytes read so far (the extra one too) go in front of the rest.
            return await ReadRestAsync(response, content, stream, [.. exact, (byte)extra], maxBytes, cancellationToken).ConfigureAwait(false);
        }

        return await ReadRestAsync(response, content, stream, [], maxBytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one more byte: -1 when the stream has ended (a seekable stream at its end is not read).</summary>
    private static async ValueTask<int> ReadOneAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (stream.CanSeek && stream.Position >= stream.Length)
        {
            return -1;
        }

        var one = new byte[1];
        return await stream.ReadAsync(one, cancellationToken).ConfigureAwait(false) == 0 ? -1 : one[0];
    }

    private static async ValueTask<byte[]?> ReadRestAsync(
        HttpResponseMessage response, HttpContent content, Stream stream, byte[] already, long maxBytes, CancellationToken cancellationToken)
    {
        // Too large to inspect: the caller reads what was read, then the rest of the stream.
        (response.Content, var bytes) = await ReadUpToAsync(content, stream, already, maxBytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>Reads <paramref name="stream"/> (after the bytes <paramref name="already"/> read from it) up to
    /// <paramref name="maxBytes"/>: within it, a <see cref="ByteArrayContent"/> with the bytes replaces
    /// <paramref name="content"/> (disposed); longer, a content that gives the part read and then the rest of the stream
    /// (never half-read, never twice) replaces it, and no bytes are returned.</summary>
    private static async ValueTask<(HttpContent Replacement, byte[]? Bytes)> ReadUpToAsync(
        HttpContent content, Stream stream, byte[] already, long maxBytes, CancellationToken cancellationToken)
    {
        var limit = (int)Math.Min(maxBytes, Array.MaxLength - 1);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(already.Length * 2L, 16 * 1024), limit) + 1);
        already.CopyTo(buffer, 0);
        (buffer, var read) = await PooledStreamReader.ReadAsync(stream, buffer, already.Length, limit, cancellationToken).ConfigureAwait(false);
        try
        {
            var bytes = buffer.AsSpan(0, read).ToArray();
            if (read > limit)
            {
                return (CopyHeaders(content, new StreamContent(new PrefixedStream(bytes, stream)), keepLength: true), null);
            }

            var replacement = CopyHeaders(content, new ByteArrayContent(bytes), keepLength: false);
            content.Dispose();
            return (replacement, bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Buffers a batch request body before the first send so that it can be read after it (a stream of
    /// known length up to <paramref name="maxBytes"/>, or of unknown length that turns out to be within it); bodies
    /// already in memory need nothing.</summary>
    /// <returns>Whether the body can be read after the send.</returns>
    public static async ValueTask<bool> PrepareRequestAsync(HttpRequestMessage request, long maxBytes, CancellationToken cancellationToken)
    {
        var content = request.Content;
        if (content is null or ByteArrayContent or ReadOnlyMemoryContent or System.Net.Http.Json.JsonContent)
        {
            return content is not null;
        }

        if (content.Headers.ContentLength is not { } length)
        {
            // A forward-only stream of unknown length: read ahead up to the bound, as the challenge handler does for
            // any request. Longer: the part read, then the rest, sent once (never half-read, never twice).
            return content is StreamContent && await ReadAheadAsync(request, content, maxBytes, cancellationToken).ConfigureAwait(false);
        }

        if (length > maxBytes)
        {
            return false;
        }

#if NET9_0_OR_GREATER
        await content.LoadIntoBufferAsync(maxBytes, cancellationToken).ConfigureAwait(false);
#else
        cancellationToken.ThrowIfCancellationRequested();
        await content.LoadIntoBufferAsync(maxBytes).ConfigureAwait(false);
#endif
        return true;
    }

    private static async ValueTask<bool> ReadAheadAsync(HttpRequestMessage request, HttpContent content, long maxBytes, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        (request.Content, var bytes) = await ReadUpToAsync(content, stream, [], maxBytes, cancellationToken).ConfigureAwait(false);
        return bytes is not null;
    }

    /// <summary>Reads a request body that <see cref="PrepareRequestAsync"/> found readable, or <see langword="null"/>.</summary>
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

    internal static HttpContent CopyHeaders(HttpContent from, HttpContent to, bool keepLength)
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
