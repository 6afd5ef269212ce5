using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GraphAuthResilience.Tests.Batching;

/// <summary>
/// The terminal handler standing in for Graph's <c>/$batch</c>: runs each step of a batch through <see cref="Step"/>
/// in request order (a step whose dependency did not succeed answers 424 without running, as Graph does), counts
/// how often each step id ran, records each batch body and token, and answers 200 with the answers as a stream of
/// known length, as a network answer arrives.
/// </summary>
internal sealed class FakeBatchGraph : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, int> _runs = new(StringComparer.Ordinal);
    private int _batches;

    public int Batches => Volatile.Read(ref _batches);

    /// <summary>Gets how many times each step id ran (424 steps never run).</summary>
    public IReadOnlyDictionary<string, int> Runs => _runs;

    public ConcurrentQueue<(byte[] Body, string? Token)> Sent { get; } = new();

    /// <summary>Gets or sets what each step answers.</summary>
    public Func<StepCall, StepAnswer> Step { get; set; } = _ => StepAnswer.Ok();

    /// <summary>Gets or sets, when set, the whole answer of the batch with this number (1-based), instead of running it.</summary>
    public Func<int, HttpRequestMessage, HttpResponseMessage?>? Override { get; set; }

    /// <summary>Gets or sets a value indicating whether the answers come back in reverse order (Graph may reorder them).</summary>
    public bool Reverse { get; set; }

    /// <summary>Gets the steps of a recorded batch body, in order.</summary>
    public static IReadOnlyList<JsonObject> StepsOf(byte[] body) =>
        [.. JsonNode.Parse(body)!["requests"]!.AsArray().Select(n => n!.AsObject())];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _batches);
        var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
        var token = request.Headers.Authorization?.Parameter;
        Sent.Enqueue((body, token));
        if (Override?.Invoke(number, request) is { } overridden)
        {
            overridden.RequestMessage = request;
            return overridden;
        }

        var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
        var answers = new List<JsonObject>();
        foreach (var step in StepsOf(body))
        {
            var id = step["id"]!.GetValue<string>();
            var dependsOn = step["dependsOn"]?.AsArray().Select(d => d!.GetValue<string>()).ToArray() ?? [];
            StepAnswer answer;
            if (dependsOn.Any(d => !statuses.TryGetValue(d, out var s) || s is < 200 or >= 300))
            {
                answer = new StepAnswer(424, """{"error":{"code":"FailedDependency","message":"Failed dependency."}}""");
            }
            else
            {
                var run = _runs.AddOrUpdate(id, 1, (_, n) => n + 1);
                answer = Step(new StepCall(id, step["method"]!.GetValue<string>(), step["url"]!.GetValue<string>(), step["body"]?.ToJsonString(), token, run, number));
            }

            statuses[id] = answer.Status;
            var headers = new JsonObject { ["Content-Type"] = answer.ContentType };
            if (answer.WwwAuthenticate is not null)
            {
                headers["WWW-Authenticate"] = answer.WwwAuthenticate;
            }

            var item = new JsonObject { ["id"] = id, ["status"] = answer.Status, ["headers"] = headers };
            if (answer.Json is not null)
            {
                item["body"] = JsonNode.Parse(answer.Json);
            }

            answers.Add(item);
        }

        if (Reverse)
        {
            answers.Reverse();
        }

        var json = new JsonObject { ["responses"] = new JsonArray([.. answers]) }.ToJsonString();
        return StreamAnswer(Encoding.UTF8.GetBytes(json), request);
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
