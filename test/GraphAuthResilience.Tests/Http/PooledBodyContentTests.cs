using System.Buffers;
using System.Text;
using GraphAuthResilience.Http;

namespace GraphAuthResilience.Tests.Http;

/// <summary>A body read once into a pooled buffer: sent as often as needed with the original's headers; disposing it
/// disposes the original.</summary>
public class PooledBodyContentTests
{
    [Test]
    public async Task Send_Twice_SameBytesAndTheOriginalsHeaders()
    {
        var original = new StringContent("{\"displayName\":\"Adele\"}", Encoding.UTF8, "application/json");
        var bytes = await original.ReadAsByteArrayAsync();
        var buffer = ArrayPool<byte>.Shared.Rent(bytes.Length + 100);
        bytes.CopyTo(buffer, 0);
        using var content = new PooledBodyContent(original, buffer, bytes.Length);

        Assert.That(await Send(content), Is.EqualTo(bytes));
        Assert.That(await Send(content), Is.EqualTo(bytes), "a replay writes the same bytes");
        Assert.That(content.Headers.ContentType?.ToString(), Is.EqualTo("application/json; charset=utf-8"));
        Assert.That(content.Headers.ContentLength, Is.EqualTo(bytes.Length), "the length of the body, not of the rented buffer");
        Assert.That(await content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
    }

    [Test]
    public void Dispose_DisposesTheOriginalAndRefusesToSendAgain()
    {
        var stream = new MemoryStream([1, 2, 3]);
        var original = new StreamContent(stream);
        var content = new PooledBodyContent(original, ArrayPool<byte>.Shared.Rent(3), 3);

        content.Dispose();
        content.Dispose();

        Assert.That(() => stream.ReadByte(), Throws.InstanceOf<ObjectDisposedException>(), "the caller's stream is disposed, as disposing the request would have");
        Assert.That(async () => await content.CopyToAsync(new MemoryStream()), Throws.InstanceOf<ObjectDisposedException>());
    }

    private static async Task<byte[]> Send(HttpContent content)
    {
        using var target = new MemoryStream();
        await content.CopyToAsync(target);
        return target.ToArray();
    }
}
