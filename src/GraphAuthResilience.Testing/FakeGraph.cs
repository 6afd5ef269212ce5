using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GraphAuthResilience.Testing;

/// <summary>
/// An in-memory Microsoft Graph for tests: the primary handler under the chain (<c>ConfigurePrimaryHttpMessageHandler(() => graph)</c>
/// or <c>new HttpClient(graph)</c>). It reads each request body as a transport does, records what it saw
/// (<see cref="Requests"/>: method, URI, whether an <c>Authorization</c> header came and a hash of its token, body),
/// and answers as Graph does.
/// </summary>
/// <remarks>
/// <para>Each send is answered by the first of these that has an answer:</para>
/// <list type="number">
/// <item><description>the next queued answer (<see cref="Enqueue(Func{HttpRequestMessage, HttpResponseMessage})"/>,
/// <see cref="EnqueueFailure"/>, <see cref="EnqueueClaimsChallenge"/>): one per send, in order;</description></item>
/// <item><description>Graph's token checks: with <see cref="RequiresToken"/>, a request without a bearer token gets the
/// 401 Graph sends for a missing token; a token passed to <see cref="Revoke"/> gets a CAE claims challenge;</description></item>
/// <item><description>an answer for the request's path (<see cref="When"/>);</description></item>
/// <item><description><see cref="Respond"/>, given the request and its 1-based send number (<see langword="null"/> falls through);</description></item>
/// <item><description>Graph's own answer: a <c>POST /$batch</c> runs each step through <see cref="BatchStep"/> (in
/// order; a step whose dependency failed answers 424 without running, as Graph does); anything else gets 200
/// <c>{}</c> with Graph's id headers.</description></item>
/// </list>
/// <para>It is safe to use from many threads at once. It never keeps a token: <see cref="FakeGraphRequest.TokenHash"/>
/// and <see cref="FakeGraphRequest.Carries"/> compare tokens by their SHA-256 hash.</para>
/// </remarks>
public sealed class FakeGraph : HttpMessageHandler
{
    private readonly ConcurrentQueue<FakeGraphRequest> _requests = new();
    private readonly ConcurrentQueue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();
    private readonly ConcurrentDictionary<string, Func<HttpRequestMessage, int, HttpResponseMessage?>> _paths = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _batchRuns = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _revoked = new(StringComparer.Ordinal);
    private CountingStream? _spareSink;
    private int _sends;
    private volatile FakeGraphRequest? _lastRecorded;
    private volatile AuthenticationHeaderValue? _lastAuthorization;
    private volatile Uri? _lastUri;
    private HttpMethod? _lastMethod;
    private long _lastBodyLength;
    private int _lastNumber;

    /// <summary>Gets the number of requests received (or being answered).</summary>
    public int Sends => Volatile.Read(ref _sends);

    /// <summary>Gets the requests received, in the order they arrived (empty when <see cref="RecordsRequests"/> is
    /// <see langword="false"/>).</summary>
    public IReadOnlyList<FakeGraphRequest> Requests => [.. _requests];

    /// <summary>Gets the last request received, recorded or not (with <see cref="RecordsRequests"/> off, built on read
    /// from what the last send left, without its body bytes; under concurrent sends, the parts may come from different
    /// sends).</summary>
    public FakeGraphRequest? LastRequest => RecordsRequests
        ? _lastRecorded
        : _lastUri is { } uri ? new FakeGraphRequest(Volatile.Read(ref _lastNumber), _lastMethod ?? HttpMethod.Get, uri, _lastAuthorization, null, Interlocked.Read(ref _lastBodyLength)) : null;

    /// <summary>Gets how many times each <c>$batch</c> step id ran (a step answered 424 for a failed dependency never runs).</summary>
    public IReadOnlyDictionary<string, int> BatchStepRuns => _batchRuns;

    /// <summary>Gets or sets a value indicating whether every request is kept in <see cref="Requests"/>.</summary>
    /// <value>Default <see langword="true"/>. Turn it off where the fake must not allocate per send (benchmarks):
    /// bodies are then drained into a pooled counting sink and only <see cref="LastRequest"/> is kept.</value>
    public bool RecordsRequests { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether recorded requests keep their body bytes.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool RecordsBodies { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether a request without a bearer token gets the 401
    /// <c>InvalidAuthenticationToken</c> "Access token is empty." Graph sends (after the scripted answers).</summary>
    /// <value>Default <see langword="false"/>: unscripted requests get 200 with or without a token.</value>
    public bool RequiresToken { get; set; }

    /// <summary>Gets or sets the answer to a send no queued answer, token check or path rule took: the request and its 1-based send
    /// number; return <see langword="null"/> to let Graph's own behaviour answer.</summary>
    public Func<HttpRequestMessage, int, HttpResponseMessage?>? Respond { get; set; }

    /// <summary>Gets or sets what each step of a <c>$batch</c> answers (when no scripted answer took the batch).</summary>
    /// <value>Default: every step answers 200 <c>{"id":"ok"}</c>.</value>
    public Func<FakeGraphBatchStep, FakeGraphBatchAnswer> BatchStep { get; set; } = static _ => FakeGraphBatchAnswer.Ok();

    /// <summary>Gets or sets a value indicating whether a <c>$batch</c> answer lists its steps in reverse order (Graph
    /// may answer in any order).</summary>
    public bool ReverseBatchAnswers { get; set; }

    /// <summary>Gets or sets a wait before answering send number n, after its body was read (to hold sends in flight
    /// together).</summary>
    public Func<int, CancellationToken, Task>? BeforeAnswer { get; set; }

    /// <summary>Answers every request to <paramref name="path"/> (the URI's absolute path, for example
    /// <c>/v1.0/me</c>, compared without case) with <paramref name="answer"/>, before <see cref="Respond"/>.</summary>
    /// <param name="path">The absolute path.</param>
    /// <param name="answer">The answer: the request and its send number; <see langword="null"/> falls through.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or does not start with <c>/</c>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="answer"/> is <see langword="null"/>.</exception>
    public void When(string path, Func<HttpRequestMessage, int, HttpResponseMessage?> answer)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(answer);
        if (path[0] != '/')
        {
            throw new ArgumentException("The path is the URI's absolute path and starts with '/', for example /v1.0/me.", nameof(path));
        }

        _paths[path] = answer;
    }

    /// <summary>Queues the answer to the next send (queued answers come before anything else).</summary>
    /// <param name="answer">Makes the answer from the request.</param>
    /// <exception cref="ArgumentNullException"><paramref name="answer"/> is <see langword="null"/>.</exception>
    public void Enqueue(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        _script.Enqueue(answer);
    }

    /// <summary>Queues, for the next send, what Graph answers for <paramref name="scenario"/> (status, JSON error with
    /// ids, <c>WWW-Authenticate</c>).</summary>
    /// <param name="scenario">A scenario Graph answers.</param>
    /// <exception cref="ArgumentNullException"><paramref name="scenario"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The scenario fails at the token source, not at Graph.</exception>
    public void EnqueueFailure(GraphAuthFailureScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.FailsAtTokenSource)
        {
            throw new ArgumentException(
                $"{scenario.Cause} comes from the token source, not from Graph: use FakeGraphTokenSource.For(GraphAuthFailureCause.{scenario.Cause}).",
                nameof(scenario));
        }

        _script.Enqueue(scenario.CreateResponse);
    }

    /// <summary>Queues, for the next send, Graph's 401 CAE claims challenge (<c>error="insufficient_claims"</c>).</summary>
    /// <param name="quotedAuthorizationUri"><see langword="false"/> for the unquoted form .NET's typed headers drop.</param>
    public void EnqueueClaimsChallenge(bool quotedAuthorizationUri = true) =>
        _script.Enqueue(request => GraphResponses.ClaimsChallenge(quotedAuthorizationUri, request));

    /// <summary>Revokes a token (as a revoked session or changed policy does): from now on a request carrying it gets
    /// Graph's CAE claims challenge, unless a scripted answer takes the request first.</summary>
    /// <param name="token">The token.</param>
    /// <exception cref="ArgumentException"><paramref name="token"/> is null or empty.</exception>
    public void Revoke(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        _revoked[FakeGraphRequest.HashToken(token)!] = 0;
    }

    /// <summary>Forgets the requests, the send count, the batch step runs and the queued answers (not the path rules,
    /// <see cref="Respond"/> or the revoked tokens).</summary>
    public void Reset()
    {
        _requests.Clear();
        _script.Clear();
        _batchRuns.Clear();
        _lastRecorded = null;
        _lastUri = null;
        Volatile.Write(ref _sends, 0);
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var number = Interlocked.Increment(ref _sends);
        var uri = request.RequestUri ?? throw new InvalidOperationException("The fake Graph needs a request with an absolute URI.");
        var isBatch = request.Method == HttpMethod.Post && uri.AbsolutePath.EndsWith("/$batch", StringComparison.Ordinal);
        var authorization = request.Headers.Authorization;

        byte[]? body = null;
        long bodyLength = 0;
        if (request.Content is { } content)
        {
            if (RecordsRequests && RecordsBodies || isBatch)
            {
                // Serialise the body as a transport does (CopyToAsync, not a buffer of the content), so a content that
                // writes other bytes on each send shows it here.
                using var wire = new MemoryStream();
                await content.CopyToAsync(wire, cancellationToken).ConfigureAwait(false);
                body = wire.ToArray();
                bodyLength = body.Length;
            }
            else
            {
                var sink = Interlocked.Exchange(ref _spareSink, null) ?? new CountingStream();
                sink.Count = 0;
                await content.CopyToAsync(sink, cancellationToken).ConfigureAwait(false);
                bodyLength = sink.Count;
                Volatile.Write(ref _spareSink, sink);
            }
        }

        if (RecordsRequests)
        {
            var recorded = new FakeGraphRequest(number, request.Method, uri, authorization, RecordsBodies ? body : null, bodyLength);
            _requests.Enqueue(recorded);
            _lastRecorded = recorded;
        }
        else
        {
            // Plain field writes: no allocation per send where the fake stands in for Graph in a benchmark.
            _lastMethod = request.Method;
            _lastAuthorization = authorization;
            Interlocked.Exchange(ref _lastBodyLength, bodyLength);
            Volatile.Write(ref _lastNumber, number);
            _lastUri = uri;
        }

        if (BeforeAnswer is { } wait)
        {
            await wait(number, cancellationToken).ConfigureAwait(false);
        }

        var response = Answer(request, number, isBatch, body, authorization);
        response.RequestMessage ??= request;
        return response;
    }

    /// <summary>A synchronous send (<c>HttpClient.Send</c>) is answered the same way.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The answer.</returns>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    private static HttpResponseMessage StreamOf(byte[] body, HttpRequestMessage request)
    {
        // A network answer arrives as a stream of known length, not as a buffered content.
        var content = new StreamContent(new MemoryStream(body, writable: false));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentLength = body.Length;
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }

    private HttpResponseMessage Answer(HttpRequestMessage request, int number, bool isBatch, byte[]? body, AuthenticationHeaderValue? authorization)
    {
        if (_script.TryDequeue(out var next))
        {
            return next(request);
        }

        var token = authorization is { Scheme: var scheme, Parameter: { Length: > 0 } value }
            && string.Equals(scheme, "Bearer", StringComparison.OrdinalIgnoreCase) ? value : null;
        if (token is null && RequiresToken)
        {
            return GraphResponses.Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Access token is empty.", GraphResponses.PlainChallenge, request: request);
        }

        var tokenHash = token is null || _revoked.IsEmpty && !isBatch ? null : FakeGraphRequest.HashToken(token);
        if (tokenHash is not null && !_revoked.IsEmpty && _revoked.ContainsKey(tokenHash))
        {
            return GraphResponses.ClaimsChallenge(request: request);
        }

        if (!_paths.IsEmpty && _paths.TryGetValue(request.RequestUri!.AbsolutePath, out var byPath) && byPath(request, number) is { } pathAnswer)
        {
            return pathAnswer;
        }

        if (Respond?.Invoke(request, number) is { } answer)
        {
            return answer;
        }

        return isBatch && body is not null ? RunBatch(request, number, body, tokenHash) : GraphResponses.Ok("{}", request);
    }

    private HttpResponseMessage RunBatch(HttpRequestMessage request, int number, byte[] body, string? tokenHash)
    {
        JsonArray steps;
        try
        {
            steps = JsonNode.Parse(body)?["requests"]?.AsArray() ?? throw new JsonException("no requests array");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return GraphResponses.Error(HttpStatusCode.BadRequest, "BadRequest", "Invalid batch payload format.", request: request);
        }

        var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
        var answers = new List<JsonNode?>();
        foreach (var node in steps)
        {
            var step = node!.AsObject();
            var id = step["id"]!.GetValue<string>();
            var dependsOn = step["dependsOn"]?.AsArray().Select(d => d!.GetValue<string>()).ToArray() ?? [];
            FakeGraphBatchAnswer answer;
            if (dependsOn.Any(d => !statuses.TryGetValue(d, out var s) || s is < 200 or >= 300))
            {
                answer = new FakeGraphBatchAnswer(424, """{"error":{"code":"FailedDependency","message":"Failed dependency."}}""");
            }
            else
            {
                var run = _batchRuns.AddOrUpdate(id, 1, static (_, n) => n + 1);
                answer = BatchStep(new FakeGraphBatchStep(id, step["method"]!.GetValue<string>(), step["url"]!.GetValue<string>(), step["body"]?.ToJsonString(), tokenHash, run, number));
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

        if (ReverseBatchAnswers)
        {
            answers.Reverse();
        }

        var json = new JsonObject { ["responses"] = new JsonArray([.. answers]) }.ToJsonString();
        return StreamOf(Encoding.UTF8.GetBytes(json), request);
    }

    /// <summary>A write-only stream that counts bytes and keeps none.</summary>
    private sealed class CountingStream : Stream
    {
        public long Count { get; set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Count;

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Count += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Count += count;
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
