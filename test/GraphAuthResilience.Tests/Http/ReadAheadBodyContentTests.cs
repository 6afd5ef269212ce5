using System.Buffers;
using GraphAuthResilience.Http;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Http;

/// <summary>A forward-only body longer than the replay bound: sent once as the part read ahead, then the rest of the
/// stream; a second send is refused rather than sending it half.</summary>
public class ReadAheadBodyContentTests
{
    [Test]
    public async Task Send_Once_PrefixThenTheRestWithTheOriginalsHeaders()
    {
        var body = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        var original = new StreamContent(new MemoryStream());
        original.Headers.ContentType = new("application/octet-stream");
        original.Headers.ContentLength = body.Length;
        var prefix = ArrayPool<byte>.Shared.Rent(1000);
        body.AsSpan(0, 1000).CopyTo(prefix);
        using var content = new ReadAheadBodyContent(original, new ForwardOnlyStream(body[1000..], chunk: 256), prefix, 1000);

        using var target = new MemoryStream();
        await content.CopyToAsync(target);

        Assert.That(target.ToArray(), Is.EqualTo(body));
        Assert.That(content.Headers.ContentType?.MediaType, Is.EqualTo("application/octet-stream"));
        Assert.That(content.Headers.ContentLength, Is.EqualTo(body.Length), "the caller's length is kept");
    }

    [Test]
    public async Task Send_Twice_SecondSendRefused()
    {
        var prefix = ArrayPool<byte>.Shared.Rent(4);
        using var content = new ReadAheadBodyContent(new StreamContent(new MemoryStream()), new MemoryStream([5, 6]), prefix, 4);
        using var first = new MemoryStream();
        await content.CopyToAsync(first);

        Assert.That(first.Length, Is.EqualTo(6));
        Assert.That(async () => await content.CopyToAsync(new MemoryStream()), Throws.InstanceOf<InvalidOperationException>());
    }
}
