using System.Net;
using System.Threading.Channels;

namespace GraphAuthResilience.Http;

/// <summary>
/// A body whose bytes are produced anew on each send (<c>JsonContent</c> serialises its value again; over a one-shot
/// <c>IAsyncEnumerable</c> or a lazy sequence the second send carries other JSON), serialised exactly once before
/// the first send. Up to the limit, the bytes are kept and every send (the replay included) writes the same ones.
/// Past the limit, what was read so far and the rest of the one serialisation are streamed by the first send only
/// (memory stays bounded by the limit and one chunk) and the body counts as not replayable.
/// </summary>
internal sealed class CapturedContent : HttpContent
{
    private readonly HttpContent _original;
    private readonly byte[]? _bytes;
    private readonly List<byte[]>? _prefix;
    private readonly ChannelReader<byte[]>? _rest;
    private readonly CancellationTokenSource? _producer;
    private int _streamed;

    private CapturedContent(HttpContent original, byte[] bytes)
    {
        _original = original;
        _bytes = bytes;
        CopyHeaders(original);
    }

    private CapturedContent(HttpContent original, List<byte[]> prefix, ChannelReader<byte[]> rest, CancellationTokenSource producer)
    {
        _original = original;
        _prefix = prefix;
        _rest = rest;
        _producer = producer;
        CopyHeaders(original);
    }

    /// <summary>Gets a value indicating whether the whole body is held (within the limit), so it can be sent again.</summary>
    public bool IsReplayable => _bytes is not null;

    /// <summary>Serialises <paramref name="original"/> once, keeping at most <paramref name="maxBufferBytes"/> (plus
    /// one chunk) in memory before the first send.</summary>
    /// <returns>The content to send in place of <paramref name="original"/>.</returns>
    public static async ValueTask<CapturedContent> CaptureAsync(HttpContent original, long maxBufferBytes, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var producer = new CancellationTokenSource();
        _ = ProduceAsync(original, channel.Writer, producer.Token);

        var chunks = new List<byte[]>();
        long total = 0;
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var chunk))
                {
                    chunks.Add(chunk);
                    total += chunk.Length;
                }

                if (total > maxBufferBytes)
                {
                    return new CapturedContent(original, chunks, channel.Reader, producer);
                }
            }
        }
        catch
        {
            await producer.CancelAsync().ConfigureAwait(false);
            producer.Dispose();
            throw;
        }

        producer.Dispose();
        var bytes = new byte[total];
        var offset = 0;
        foreach (var chunk in chunks)
        {
            chunk.CopyTo(bytes, offset);
            offset += chunk.Length;
        }

        return new CapturedContent(original, bytes);
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_bytes is not null)
        {
            await stream.WriteAsync(_bytes, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (Interlocked.Exchange(ref _streamed, 1) != 0)
        {
            throw new InvalidOperationException("This request body was larger than MaxReplayBufferBytes and streamed once; it cannot be sent again.");
        }

        foreach (var chunk in _prefix!)
        {
            await stream.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        }

        _prefix.Clear();
        await foreach (var chunk in _rest!.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await stream.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        }

        await _rest.Completion.ConfigureAwait(false); // the serialiser's own failure, if it failed
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _bytes?.LongLength ?? 0;
        return _bytes is not null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_producer is { } producer)
            {
                producer.Cancel();
                producer.Dispose();
            }

            _original.Dispose();
        }

        base.Dispose(disposing);
    }

    private static async Task ProduceAsync(HttpContent content, ChannelWriter<byte[]> writer, CancellationToken cancellationToken)
    {
        Exception? error = null;
        try
        {
            await Task.Yield(); // the serialiser runs beside the reader, never inline in the caller's send
            var stream = new ChunkStream(writer, cancellationToken);
            await using (stream.ConfigureAwait(false))
            {
                await content.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }

        writer.TryComplete(error);
    }

    private void CopyHeaders(HttpContent original)
    {
        foreach (var header in original.Headers.NonValidated)
        {
            if (!string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
    }

    /// <summary>A write-only stream handing each write, copied, to the reader; waits while the reader is a chunk behind.</summary>
    private sealed class ChunkStream(ChannelWriter<byte[]> writer, CancellationToken cancellationToken) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken token = default) =>
            buffer.IsEmpty ? ValueTask.CompletedTask : writer.WriteAsync(buffer.ToArray(), cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken token) =>
            WriteAsync(buffer.AsMemory(offset, count), token).AsTask();

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken token) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
