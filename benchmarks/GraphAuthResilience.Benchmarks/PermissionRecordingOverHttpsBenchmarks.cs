using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Benchmarks.Infrastructure;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// The cost of <see cref="GraphAuthOptions.RecordPermissionUse"/> on a 2xx that comes over the wire, beside the
/// in-memory rows of <see cref="PermissionRecordingBenchmarks"/>: the same clients (<see cref="RecordingClients"/>), but
/// the primary handler is a <see cref="SocketsHttpHandler"/> talking HTTP/1.1 over TLS to Kestrel on loopback
/// (<see cref="LoopbackGraph"/>), with a kept-alive connection. Each request builds its URI with a new user id, as a
/// caller does. Client and server share the machine's two cores, so this is still far faster than a real Graph call.
/// </summary>
[MemoryDiagnoser]
public class PermissionRecordingOverHttpsBenchmarks
{
    private const int Ids = 1024;
    private readonly string[] _ids = [.. Enumerable.Range(0, Ids).Select(_ => Guid.NewGuid().ToString())];
    private LoopbackGraph _graph = null!;
    private RecordingClients _clients = null!;
    private HttpClient _off = null!;
    private HttpClient _on = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _graph = LoopbackGraph.StartAsync().GetAwaiter().GetResult();
        _clients = new RecordingClients(("off", false, _graph.CreateHandler), ("on", true, _graph.CreateHandler));
        (_off, _on) = (_clients["off"], _clients["on"]);

        // Warm both connections and check the setup does what it claims: 200s, a token on each, the calls recorded.
        for (var i = 0; i < 2; i++)
        {
            Check.That(Off().GetAwaiter().GetResult() == 200, "off: 200 over loopback https");
            Check.That(On().GetAwaiter().GetResult() == 200, "on: 200 over loopback https");
        }

        Check.That(_graph.Authorized == 4, $"every request carried the token ({_graph.Authorized} of 4)");
        _clients.CheckRecordedUserCalls(2);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _clients.CheckServedFromCache();
        _clients.Dispose();
        _graph.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "Over loopback https: recording off")]
    public Task<int> Off() => Send(_off);

    [Benchmark(Description = "Over loopback https: recording on (new id each request)")]
    public Task<int> On() => Send(_on);

    /// <summary>The off/on rows as a paired comparison (<see cref="PairedComparison"/>), in blocks small enough for
    /// requests that take tens of microseconds.</summary>
    /// <param name="rounds">How many rounds.</param>
    /// <param name="perBlock">Requests per block.</param>
    public static void Paired(int rounds = 201, int perBlock = 200)
    {
        var benchmarks = new PermissionRecordingOverHttpsBenchmarks();
        benchmarks.Setup();
        try
        {
            PairedComparison.Run(
                "Permission recording over loopback https, off → on (Kestrel, TLS, a kept-alive connection, a new id each request)",
                [("new id each request", benchmarks.Off, benchmarks.On)],
                rounds,
                perBlock);
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private Task<int> Send(HttpClient client) =>
        RecordingClients.GetAsync(client, new Uri($"https://graph.microsoft.com/v1.0/users/{_ids[_next++ & (Ids - 1)]}"));
}
