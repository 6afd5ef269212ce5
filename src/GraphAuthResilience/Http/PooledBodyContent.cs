using System.Buffers;
using System.Net;

namespace GraphAuthResilience.Http;

/// <summary>
/// A request body read once into a buffer rented from <see cref="ArrayPool{T}"/>, sent as often as needed, with the
/// original content's headers. Disposing it (disposing the request does) returns the buffer and disposes the
/// original content (and with it the caller's stream, as disposing the request would have).
/// </summary>
internal sealed class PooledBodyContent : HttpContent
{
    private readonly HttpContent _original;
    private readonly int _length;
    private byte[]? _buffer;

    public PooledBodyContent(HttpContent original, byte[] buffer, int length)
    {
        _original = original;
        _buffer = buffer;
        _length = length;
        foreach (var header in original.Headers.NonValidated)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    private ReadOnlyMemory<byte> Body => (_buffer ?? throw new ObjectDisposedException(nameof(PooledBodyContent))).AsMemory(0, _length);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(Body).AsTask();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(Body, cancellationToken).AsTask();

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.Write(Body.Span);

    protected override Task<Stream> CreateContentReadStreamAsync() =>
        Task.FromResult<Stream>(new MemoryStream(_buffer ?? throw new ObjectDisposedException(nameof(PooledBodyContent)), 0, _length, writable: false));

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _original.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>A write-only stream into a fixed buffer that refuses to grow past it.</summary>
    internal sealed class FixedBufferStream(byte[] buffer, int capacity) : Stream
    {
        public int Written { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Written;

        public override long Position { get => Written; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> source)
        {
            if (source.Length > capacity - Written)
            {
                throw new InvalidOperationException("The body is longer than its declared Content-Length.");
            }

            source.CopyTo(buffer.AsSpan(Written));
            Written += source.Length;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            Write(source.Span);
            return ValueTask.CompletedTask;
        }
    }
}
