using GraphAuthResilience.Http;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Http;

/// <summary>The bytes already read, then the rest of the stream: the caller reads the whole body, in order, forward only.</summary>
public class PrefixedStreamTests
{
    [Test]
    public async Task ReadAsync_PrefixThenRest_WholeBodyInOrder()
    {
        var body = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var rest = new ForwardOnlyStream(body[100..], chunk: 64);
        using var stream = new PrefixedStream(body[..100], rest);

        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, 37);

        Assert.That(copy.ToArray(), Is.EqualTo(body));
    }

    [Test]
    public void Read_SmallBuffers_PrefixServedAcrossReadsThenTheRest()
    {
        using var stream = new PrefixedStream([1, 2, 3, 4, 5], new MemoryStream([6, 7]));
        var buffer = new byte[2];

        var reads = new List<byte[]>();
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            reads.Add(buffer[..n]);
        }

        Assert.That(reads, Is.EqualTo(new[] { new byte[] { 1, 2 }, [3, 4], [5], [6, 7] }), "a read never mixes the prefix and the rest");
    }

    [Test]
    public void Stream_ForwardOnly_NoSeekLengthOrWrite()
    {
        using var stream = new PrefixedStream([1], new MemoryStream());

        Assert.That(stream.CanRead, Is.True);
        Assert.That(stream.CanSeek, Is.False);
        Assert.That(stream.CanWrite, Is.False);
        Assert.Throws<NotSupportedException>(() => _ = stream.Length);
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => stream.Write([1], 0, 1));
    }

    [Test]
    public void Dispose_DisposesTheRest()
    {
        var rest = new ForwardOnlyStream([1, 2, 3]);
        var stream = new PrefixedStream([0], rest);

        stream.Dispose();

        Assert.That(rest.Disposed, Is.True);
    }
}
