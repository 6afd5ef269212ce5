using GraphAuthResilience.Testing;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>
/// The batch tests' view of the Testing package's <see cref="FakeGraph"/>, which runs each step of a batch (in request
/// order; a step whose dependency did not succeed answers 424 without running, as Graph does) and answers 200 with
/// the answers as a stream of known length. This adapter keeps what the batch tests read: each batch body with the
/// raw token it carried, and each step call with that token.
/// </summary>
internal sealed class FakeBatchGraph : DelegatingHandler
{
    // The raw token of the batch being answered, for the step calls (the public fake keeps only its hash).
    private static readonly AsyncLocal<string?> BatchToken = new();
    private readonly FakeGraph _graph;
    private int _batches;

    public FakeBatchGraph()
        : this(new FakeGraph())
    {
    }

    private FakeBatchGraph(FakeGraph graph)
        : base(graph)
    {
        _graph = graph;
        graph.BatchStep = step =>
        {
            var answer = Step(new StepCall(step.Id, step.Method, step.Url, step.BodyJson, BatchToken.Value, step.Run, step.Batch));
            return new FakeGraphBatchAnswer(answer.Status, answer.Json, answer.WwwAuthenticate, answer.ContentType);
        };
        graph.Respond = (request, number) => Override?.Invoke(number, request);
    }

    public int Batches => Volatile.Read(ref _batches);

    /// <summary>Gets how many times each step id ran (424 steps never run).</summary>
    public IReadOnlyDictionary<string, int> Runs => _graph.BatchStepRuns;

    public ConcurrentQueue<(byte[] Body, string? Token)> Sent { get; } = new();

    /// <summary>Gets or sets what each step answers.</summary>
    public Func<StepCall, StepAnswer> Step { get; set; } = _ => StepAnswer.Ok();

    /// <summary>Gets or sets, when set, the whole answer of the batch with this number (1-based), instead of running it.</summary>
    public Func<int, HttpRequestMessage, HttpResponseMessage?>? Override { get; set; }

    /// <summary>Gets or sets a value indicating whether the answers come back in reverse order (Graph may reorder them).</summary>
    public bool Reverse
    {
        get => _graph.ReverseBatchAnswers;
        set => _graph.ReverseBatchAnswers = value;
    }

    /// <summary>Gets the steps of a recorded batch body, in order.</summary>
    public static IReadOnlyList<JsonObject> StepsOf(byte[] body) =>
        [.. JsonNode.Parse(body)!["requests"]!.AsArray().Select(n => n!.AsObject())];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _batches);
        var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
        var token = request.Headers.Authorization?.Parameter;
        Sent.Enqueue((body, token));
        BatchToken.Value = token;
        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>A 200 whose body arrives as a stream of known length (not buffered), like a network answer.</summary>
    public static HttpResponseMessage StreamAnswer(byte[] body, HttpRequestMessage? request = null, string mediaType = "application/json", bool knownLength = true, long? declaredLength = null)
    {
        var content = new StreamContent(knownLength && declaredLength is null ? new MemoryStream(body, writable: false) : new Tests.Infrastructure.ForwardOnlyStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        if (knownLength)
        {
            content.Headers.ContentLength = declaredLength ?? body.Length;
        }

        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }
}

/// <summary>One step as the fake Graph runs it: the batch's token, how many times this id ran, which batch.</summary>
internal sealed record StepCall(string Id, string Method, string Url, string? BodyJson, string? Token, int Run, int Batch);

/// <summary>One step's answer.</summary>
internal sealed record StepAnswer(int Status, string? Json, string? WwwAuthenticate = null, string ContentType = "application/json")
{
    public static StepAnswer Ok(string json = """{"id":"ok"}""") => new(200, json);

    public static StepAnswer Error(int status, string code, string message, string? wwwAuthenticate = null) =>
        new(status, JsonSerializer.Serialize(new { error = new { code, message, innerError = new Dictionary<string, string> { ["request-id"] = "7a1c0000-0000-4000-8000-0000000000b1", ["date"] = "2026-11-30T16:00:00" } } }), wwwAuthenticate);
}
