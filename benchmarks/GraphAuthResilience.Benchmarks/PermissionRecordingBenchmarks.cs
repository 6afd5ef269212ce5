using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Benchmarks.Infrastructure;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// The cost of <see cref="GraphAuthOptions.RecordPermissionUse"/> on the hot path of <see cref="HotPathBenchmarks"/>: one
/// GET that answers 200 with a token already cached, through <c>IHttpClientFactory</c> clients over an in-memory
/// terminal handler (<see cref="RecordingClients"/>). The clients differ only in the option: off (the baseline: the
/// chain as it ships), on with an operation seen before (the same URI, or a new id on every request), and on with an
/// operation never seen (the recorder forgets its operations before every request, so each one pays the catalog
/// lookup). Two more clients answer after a yield, as a real transport does (the send's task is not complete when it
/// comes back): recording must not add a continuation, nor its allocation, there either.
/// </summary>
[MemoryDiagnoser]
public class PermissionRecordingBenchmarks
{
    private const int Ids = 1024;
    private static readonly Uri Users = new(BenchmarkGraph.UsersUri);
    private readonly Uri[] _otherIds = [.. Enumerable.Range(0, Ids).Select(i => new Uri($"https://graph.microsoft.com/v1.0/users/{Guid.NewGuid()}"))];
    private readonly Dictionary<string, FakeGraph> _graphs = [];
    private RecordingClients _clients = null!;
    private HttpClient _off = null!;
    private HttpClient _on = null!;
    private HttpClient _offLater = null!;
    private HttpClient _onLater = null!;
    private int _next;
    private TokenPermissions? _permissions;

    [GlobalSetup]
    public void Setup()
    {
        _clients = new RecordingClients(
            ("off", false, () => Graph("off")),
            ("on", true, () => Graph("on")),
            ("off-later", false, () => Graph("off-later", answerLater: true)),
            ("on-later", true, () => Graph("on-later", answerLater: true)));
        (_off, _on, _offLater, _onLater) = (_clients["off"], _clients["on"], _clients["off-later"], _clients["on-later"]);
        var token = _clients.Token;

        // Warm every path and check it does what it claims, so the numbers are not those of a broken setup.
        for (var i = 0; i < 2; i++)
        {
            Check.That(Send(_off, Users).GetAwaiter().GetResult() == 200 && _graphs["off"].LastRequest?.Carries(token) == true, "off: 200 with the token");
            Check.That(Send(_on, Users).GetAwaiter().GetResult() == 200 && _graphs["on"].LastRequest?.Carries(token) == true, "on: 200 with the token");
            Check.That(Send(_on, _otherIds[i]).GetAwaiter().GetResult() == 200, "on, other id: 200");
            Check.That(Send(_offLater, Users).GetAwaiter().GetResult() == 200, "off, answered later: 200");
            Check.That(Send(_onLater, Users).GetAwaiter().GetResult() == 200 && _graphs["on-later"].LastRequest?.Carries(token) == true, "on, answered later: 200 with the token");
        }

        _clients.CheckRecordedUserCalls(6);
        Check.That(_clients.Source.Calls == 4, $"one acquisition per client's cache (acquisitions: {_clients.Source.Calls})");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _clients.CheckServedFromCache();
        _clients.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Recording off (the chain as it ships)")]
    public Task<int> Off() => Send(_off, Users);

    [Benchmark(Description = "Recording on, repeated operation (same URI)")]
    public Task<int> OnRepeated() => Send(_on, Users);

    [Benchmark(Description = "Recording on, repeated operation (new id each request)")]
    public Task<int> OnRepeatedNewId() => Send(_on, _otherIds[_next++ & (Ids - 1)]);

    [Benchmark(Description = "Recording off, new id each request")]
    public Task<int> OffNewId() => Send(_off, _otherIds[_next++ & (Ids - 1)]);

    [Benchmark(Description = "Recording off, answer comes later (after a yield)")]
    public Task<int> OffAnswerLater() => Send(_offLater, _otherIds[_next++ & (Ids - 1)]);

    [Benchmark(Description = "Recording on, answer comes later (after a yield), new id each request")]
    public Task<int> OnAnswerLater() => Send(_onLater, _otherIds[_next++ & (Ids - 1)]);

    [Benchmark(Description = "Recording on, first sight of the operation")]
    public Task<int> OnFirstOperation()
    {
        _clients.Usage.ForgetOperations();
        return Send(_on, Users);
    }

    [Benchmark(Description = "Counting alone, new id each request (found among the thread's recent operations, counted)")]
    public long CountAlone()
    {
        var usage = _clients.Usage;
        usage.Record("GET", _otherIds[_next++ & (Ids - 1)], _permissions ??= usage.TokenFor(_clients.Token));
        return usage.DroppedCalls;
    }

    /// <summary>The off/on rows as a paired comparison (<see cref="PairedComparison"/>), which a drifting VM cannot tilt:
    /// <c>dotnet run -c Release --project benchmarks/GraphAuthResilience.Benchmarks -- --paired</c>.</summary>
    /// <param name="rounds">How many rounds (the quick run uses a few, to keep this mode from rotting).</param>
    /// <param name="perBlock">Requests per block.</param>
    public static void Paired(int rounds = 201, int perBlock = 10_000)
    {
        var benchmarks = new PermissionRecordingBenchmarks();
        benchmarks.Setup();
        try
        {
            PairedComparison.Run(
                "Permission recording, off → on (one GET answering 200 with a cached token, as the BenchmarkDotNet rows)",
                [
                    ("same URI", benchmarks.Off, benchmarks.OnRepeated),
                    ("new id each request", benchmarks.OffNewId, benchmarks.OnRepeatedNewId),
                ],
                rounds,
                perBlock);
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static Task<int> Send(HttpClient client, Uri uri) => RecordingClients.GetAsync(client, uri);

    private FakeGraph Graph(string name, bool answerLater = false)
    {
        var graph = BenchmarkGraph.Create();
        if (answerLater)
        {
            graph.BeforeAnswer = static async (_, _) => await Task.Yield();
        }

        _graphs[name] = graph;
        return graph;
    }
}
