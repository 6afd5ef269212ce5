using System.Buffers;
using System.Net;

namespace GraphAuthResilience.Http;

/// <summary>
/// A forward-only request body that turned out longer than <see cref="GraphAuthOptions.MaxReplayBufferBytes"/> while
/// it was read ahead: sent once as the part read (from a pooled buffer, returned as soon as it is written) followed
/// by the rest of the original stream. A second send throws, as the original <see cref="StreamContent"/> would: the
/// body is never sent twice half-read.
/// </summary>
internal sealed class ReadAheadBodyContent : HttpContent
{
    private readonly HttpContent _original;
    private readonly Stream _rest;
    private readonly int _length;
    private byte[]? _prefix;
    private int _sent;

    public ReadAheadBodyContent(HttpContent original, Stream rest, byte[] prefix, int length)
    {
        _original = original;
        _rest = rest;
        _prefix = prefix;
        _length = length;
        foreach (var header in original.Headers.NonValidated)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var prefix = TakePrefix();
        try
        {
            await stream.WriteAsync(prefix.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(prefix);
        }

        await _rest.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var prefix = TakePrefix();
        try
        {
            stream.Write(prefix, 0, _length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(prefix);
        }

        _rest.CopyTo(stream);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false; // a Content-Length the caller set is among the copied headers
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (Interlocked.Exchange(ref _prefix, null) is { } prefix)
            {
                ArrayPool<byte>.Shared.Return(prefix);
            }

            _original.Dispose();
        }

        base.Dispose(disposing);
    }

    private byte[] TakePrefix()
    {
        if (Interlocked.Exchange(ref _sent, 1) != 0 || Interlocked.Exchange(ref _prefix, null) is not { } prefix)
        {
            throw new InvalidOperationException("The request body was a forward-only stream longer than MaxReplayBufferBytes and was already sent; it cannot be sent again.");
        }

        return prefix;
    }
}
