using System.Net.Http.Json;
using GraphAuthResilience.Http;

namespace GraphAuthResilience.Tests.Http;

/// <summary>A body that makes its bytes anew on each send, serialised once: within the bound every send writes the
/// same bytes; past it, the one serialisation is streamed by the first send only and the body is not replayable.</summary>
public class CapturedContentTests
{
    [Test]
    public async Task CaptureAsync_WithinTheBound_ReplayableAndEverySendTheSameBytes()
    {
        var enumerations = 0;
        var original = JsonContent.Create(Items(() => ++enumerations, 10));

        using var content = await CapturedContent.CaptureAsync(original, 1024 * 1024, CancellationToken.None);
        var first = await Send(content);
        var second = await Send(content);

        Assert.That(content.IsReplayable, Is.True);
        Assert.That(second, Is.EqualTo(first));
        Assert.That(enumerations, Is.EqualTo(1), "serialised once");
        Assert.That(content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(content.Headers.ContentLength, Is.EqualTo(first.Length));
    }

    [Test]
    public async Task CaptureAsync_PastTheBound_StreamedOnceAndNotReplayable()
    {
        var enumerations = 0;
        var original = JsonContent.Create(Items(() => ++enumerations, 5000));
        var whole = await JsonContent.Create(Items(() => 1, 5000)).ReadAsByteArrayAsync();

        using var content = await CapturedContent.CaptureAsync(original, 1000, CancellationToken.None);

        Assert.That(content.IsReplayable, Is.False);
        Assert.That(content.Headers.ContentLength, Is.Null, "the length is not known");
        Assert.That(await Send(content), Is.EqualTo(whole), "the one serialisation, whole");
        Assert.That(enumerations, Is.EqualTo(1));
        Assert.That(async () => await Send(content), Throws.InstanceOf<InvalidOperationException>(), "never sent twice");
    }

    private static IEnumerable<string> Items(Func<int> enumerated, int count)
    {
        var run = enumerated();
        for (var i = 0; i < count; i++)
        {
            yield return $"item {i} of run {run}";
        }
    }

    private static async Task<byte[]> Send(HttpContent content)
    {
        using var target = new MemoryStream();
        await content.CopyToAsync(target);
        return target.ToArray();
    }
}
