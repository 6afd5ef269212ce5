using System.Buffers;
using GraphAuthResilience.Http;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Http;

/// <summary>A stream read into a pooled buffer that grows up to a limit: the whole stream when it fits, one byte past
/// the limit when it does not (so "too long" is known without reading it all), and the buffer handed back on failure.</summary>
public class PooledStreamReaderTests
{
    [Test]
    public async Task ReadAsync_StreamWithinTheLimit_WholeStreamAfterTheBytesAlreadyHeld()
    {
        var body = Enumerable.Range(0, 5000).Select(i => (byte)(i % 251)).ToArray();
        var buffer = ArrayPool<byte>.Shared.Rent(16);
        body.AsSpan(0, 10).CopyTo(buffer);

        var (grown, read) = await PooledStreamReader.ReadAsync(new ForwardOnlyStream(body[10..], chunk: 100), buffer, 10, limit: 10_000, CancellationToken.None);
        try
        {
            Assert.That(read, Is.EqualTo(body.Length));
            Assert.That(grown.AsSpan(0, read).ToArray(), Is.EqualTo(body));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(grown);
        }
    }

    [Test]
    public async Task ReadAsync_StreamLongerThanTheLimit_StopsPastTheLimitWithoutReadingItAll()
    {
        var body = new byte[1_000_000];
        var stream = new CountingStream(new MemoryStream(body));

        var (buffer, read) = await PooledStreamReader.ReadAsync(stream, ArrayPool<byte>.Shared.Rent(64), 0, limit: 1000, CancellationToken.None);
        ArrayPool<byte>.Shared.Return(buffer);

        Assert.That(read, Is.GreaterThan(1000), "more than the limit: the caller knows it is too long");
        Assert.That(stream.BytesRead, Is.LessThan(body.Length / 10), "the rest is left unread");
    }

    [Test]
    public void ReadAsync_StreamFails_Rethrows()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16);

        Assert.ThrowsAsync<IOException>(async () => await PooledStreamReader.ReadAsync(new FailingStream(), buffer, 0, 100, CancellationToken.None));
    }

    [Test]
    public void ReadAsync_Cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.CatchAsync<OperationCanceledException>(async () =>
            await PooledStreamReader.ReadAsync(new MemoryStream(new byte[100]), ArrayPool<byte>.Shared.Rent(16), 0, 100, cancelled.Token));
    }

    private sealed class CountingStream(Stream inner) : ReadOnlyTestStream
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }
    }
}
