using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GraphAuthResilience.Challenges;
using GraphAuthResilience.Http;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Challenges;
using GraphAuthResilience.Tests.Infrastructure;

namespace GraphAuthResilience.Tests.Http;

/// <summary>A body that makes its bytes on each send (JsonContent) is replayed with the bytes of the first
/// send, or counted not replayable; never replayed with other bytes.</summary>
public class HttpBodyTests
{
    private const string MessagesUrl = "https://graph.microsoft.com/v1.0/me/messages";

    [Test]
    public async Task SendAsync_JsonContentOverOneShotAsyncEnumerable_ReplayCarriesByteIdenticalJson()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, n) => n == 1 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted) : GraphResponses.Ok();
        var sequence = new CountingAsyncSequence(200);

        using var response = await harness.CreateClient().PostAsJsonAsync(MessagesUrl, sequence);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var sent = harness.Graph.Requests.ToArray();
        Assert.That(sent, Has.Length.EqualTo(2), "replayed once");
        Assert.That(sent[0].Body, Is.EqualTo(Expected(0, 200)), "the first send carries the first enumeration");
        Assert.That(sent[1].Body, Is.EqualTo(sent[0].Body), "the replay carries the same bytes");
        Assert.That(sequence.Enumerations, Is.EqualTo(1), "serialised once");
        Assert.That(source.Requests[1].Claims, Is.EqualTo(ChallengeSamples.CaeQuotedClaims));
    }

    [Test]
    public async Task SendAsync_JsonContentOverLazySequence_ReplayCarriesByteIdenticalJsonAndKeepsHeaders()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        harness.Graph.Respond = (_, n) => n == 1 ? GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeUnquoted) : GraphResponses.Ok();
        var enumerations = 0;
        IEnumerable<int> Lazy()
        {
            var start = 1000 * Interlocked.Increment(ref enumerations);
            for (var i = 0; i < 50; i++)
            {
                yield return start + i;
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, MessagesUrl) { Content = JsonContent.Create(Lazy()) };
        request.Content.Headers.TryAddWithoutValidation("x-caller", "kept");
        using var response = await harness.CreateClient().SendAsync(request);

        var sent = harness.Graph.Requests.ToArray();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(sent[1].Body, Is.EqualTo(sent[0].Body));
        Assert.That(enumerations, Is.EqualTo(1));
        Assert.That(request.Content!.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        Assert.That(request.Content.Headers.GetValues("x-caller"), Is.EqualTo(new[] { "kept" }));
    }

    [Test]
    public void SendAsync_JsonContentAboveTheLimit_StreamsTheWholeBodyOnceAndIsNotReplayed()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o => o.MaxReplayBufferBytes = 1024);
        harness.Graph.Respond = (_, _) => GraphResponses.Json(HttpStatusCode.Unauthorized, ChallengeSamples.S25Body, ChallengeSamples.CaeQuoted);
        var sequence = new CountingAsyncSequence(5000); // about 80 KiB of JSON

        var ex = Assert.CatchAsync<GraphAuthException>(() => harness.CreateClient().PostAsJsonAsync(MessagesUrl, sequence));

        Assert.That(harness.Graph.Sends, Is.EqualTo(1), "never sent twice");
        Assert.That(harness.Graph.Requests.Single().Body, Is.EqualTo(Expected(0, 5000)), "the one send carried the whole, first, serialisation");
        Assert.That(sequence.Enumerations, Is.EqualTo(1));
        Assert.That(ex!.Cause, Is.EqualTo(GraphAuthFailureCause.UnsatisfiedClaimsChallenge));
        Assert.That(ex.Remediation, Does.Contain("MaxReplayBufferBytes"));
    }

    [Test]
    public void SendAsync_JsonSerialisationFails_ThrowsAndSendsNothing()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);

        Assert.CatchAsync<Exception>(() => harness.CreateClient().PostAsJsonAsync(MessagesUrl, new CountingAsyncSequence(10, failAt: 5)));

        Assert.That(harness.Graph.Sends, Is.Zero);
    }

    [Test]
    public async Task PrepareAsync_PreparedTwice_KeepsTheCapturedBytes()
    {
        var sequence = new CountingAsyncSequence(3);
        using var request = new HttpRequestMessage(HttpMethod.Post, MessagesUrl) { Content = JsonContent.Create(sequence) };

        Assert.That(await HttpBody.PrepareReplayAsync(request, 1024, CancellationToken.None), Is.True);
        var captured = request.Content;
        Assert.That(await HttpBody.PrepareReplayAsync(request, 1024, CancellationToken.None), Is.True);

        Assert.That(request.Content, Is.SameAs(captured));
        Assert.That(await request.Content!.ReadAsByteArrayAsync(), Is.EqualTo(Expected(0, 3)));
        Assert.That(request.Content.Headers.ContentLength, Is.EqualTo(Expected(0, 3).Length));
        Assert.That(sequence.Enumerations, Is.EqualTo(1));
    }

    [Test]
    public async Task SendAsync_EndlessJsonSequenceCancelled_ThrowsCanceledAndTheSerialiserIsStopped()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o => o.MaxReplayBufferBytes = 1024);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();
        var produced = 0;

        async IAsyncEnumerable<Item> Endless([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token = default)
        {
            try
            {
                for (var i = 0; ; i++)
                {
                    await Task.Yield();
                    if (Interlocked.Increment(ref produced) == 5_000)
                    {
                        await cancel.CancelAsync(); // well past the limit: the body is streaming by now
                    }

                    token.ThrowIfCancellationRequested();
                    yield return new Item(0, i, "value " + i);
                }
            }
            finally
            {
                stopped.TrySetResult();
            }
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, MessagesUrl) { Content = JsonContent.Create(Endless()) })
        {
            Assert.CatchAsync<OperationCanceledException>(() => harness.CreateClient().SendAsync(request, cancel.Token));
        }

        // Disposing the request stops the one serialisation (a hang here fails the test; nothing is timed).
        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(stopped.Task.IsCompletedSuccessfully, Is.True);
        Assert.That(source.CallCount, Is.LessThanOrEqualTo(1));
    }

    [Test]
    public async Task ReadPrefixAsync_StreamLongerThanTheBound_FirstBytesAndTheBodyStillWhole()
    {
        var body = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        using var response = new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StreamContent(new ForwardOnlyStream(body, chunk: 512)) };
        response.Content.Headers.ContentType = new("application/json");

        var prefix = await HttpBody.ReadPrefixAsync(response, 1000, CancellationToken.None);

        Assert.That(prefix, Is.EqualTo(body[..1000]));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), "headers kept");
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(body), "the caller still reads the whole body");
    }

    [Test]
    public async Task ReadWholeAsync_StreamWithinTheBound_BytesAndTheBodyReadableAgain()
    {
        var body = "{\"error\":{\"code\":\"Authorization_RequestDenied\"}}"u8.ToArray();
        using var response = new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StreamContent(new ForwardOnlyStream(body, chunk: 7)) };
        response.Content.Headers.ContentType = new("application/json");

        var read = await HttpBody.ReadWholeAsync(response, 4096, CancellationToken.None);

        Assert.That(read, Is.EqualTo(body));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(body));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(body), "readable more than once");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
    }

    [Test]
    public async Task ReadWholeAsync_StreamLongerThanTheBound_NullAndTheBodyStillWhole()
    {
        var body = new byte[5000];
        new Random(7).NextBytes(body);
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new ForwardOnlyStream(body, chunk: 300)) };

        var read = await HttpBody.ReadWholeAsync(response, 1000, CancellationToken.None);

        Assert.That(read, Is.Null);
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(body));
    }

    [Test]
    public async Task ReadWholeAsync_DeclaredLengthOverTheBound_NullWithoutReading()
    {
        var stream = new ForwardOnlyStream(new byte[5000]);
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(stream) };
        response.Content.Headers.ContentLength = 5000;

        Assert.That(await HttpBody.ReadWholeAsync(response, 1000, CancellationToken.None), Is.Null);
        Assert.That(response.Content, Is.InstanceOf<StreamContent>());
        Assert.That((await response.Content.ReadAsByteArrayAsync()).Length, Is.EqualTo(5000));
    }

    [TestCase("application/json", null, true)]
    [TestCase("application/problem+json", null, true)]
    [TestCase("application/json", "gzip", false)]
    [TestCase("text/plain", null, false)]
    [TestCase(null, null, false)]
    public void IsReadableJson_MediaTypeAndEncoding(string? mediaType, string? encoding, bool expected)
    {
        using var content = new ByteArrayContent([]);
        if (mediaType is not null)
        {
            content.Headers.ContentType = new(mediaType);
        }

        if (encoding is not null)
        {
            content.Headers.ContentEncoding.Add(encoding);
        }

        Assert.That(HttpBody.IsReadableJson(content), Is.EqualTo(expected));
        Assert.That(HttpBody.IsReadableJson(null), Is.False);
    }

    private static byte[] Expected(int enumeration, int count) =>
        JsonSerializer.SerializeToUtf8Bytes(Enumerable.Range(0, count).Select(i => new Item(enumeration, i, "value " + i)), JsonSerializerOptions.Web);

    internal sealed record Item(int Enumeration, int Index, string Text);

    /// <summary>A sequence that yields other items each time it is enumerated, as a one-shot source would.</summary>
    private sealed class CountingAsyncSequence(int count, int failAt = -1) : IAsyncEnumerable<Item>
    {
        private int _enumerations;

        public int Enumerations => Volatile.Read(ref _enumerations);

        public async IAsyncEnumerator<Item> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            var enumeration = Interlocked.Increment(ref _enumerations) - 1;
            for (var i = 0; i < count; i++)
            {
                if (i == failAt)
                {
                    throw new InvalidOperationException("the source failed");
                }

                if (i % 100 == 0)
                {
                    await Task.Yield();
                }

                yield return new Item(enumeration, i, "value " + i);
            }
        }
    }
}
