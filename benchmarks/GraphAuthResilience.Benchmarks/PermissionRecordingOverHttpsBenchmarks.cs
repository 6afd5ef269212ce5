using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Benchmarks.Infrastructure;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// The cost of <see cref="GraphAuthOptions.RecordPermissionUse"/> on a 2xx that comes over the wire, beside the
/// in-memory rows of <see cref="PermissionRecordingBenchmarks"/>: the same chain and clients, but the primary handler
/// is a <see cref="SocketsHttpHandler"/> talking HTTP/1.1 over TLS to Kestrel on loopback (<see cref="LoopbackGraph"/>),
/// with a kept-alive connection. Each request builds its URI with a new user id, as a caller does. Client and server
/// share the machine's two cores, so this is still far faster than a real Graph call.
/// </summary>
[MemoryDiagnoser]
public class PermissionRecordingOverHttpsBenchmarks
{
    private const int Ids = 1024;
    private readonly string _token = UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build();
    private readonly string[] _ids = [.. Enumerable.Range(0, Ids).Select(_ => Guid.NewGuid().ToString())];
    private LoopbackGraph _graph = null!;
    private ServiceProvider _provider = null!;
    private StaticGraphTokenSource _source = null!;
    private GraphPermissionUsage _usage = null!;
    private HttpClient _off = null!;
    private HttpClient _on = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _graph = LoopbackGraph.StartAsync().GetAwaiter().GetResult();
        _source = new StaticGraphTokenSource(_token);
        var services = new ServiceCollection();
        Client(services, "off").AddGraphAuthHandlers(o => o.TokenSource = _source);
        Client(services, "on").AddGraphAuthHandlers(o =>
        {
            o.TokenSource = _source;
            o.RecordPermissionUse = true;
        });
        _provider = services.BuildServiceProvider();
        var factory = _provider.GetRequiredService<IHttpClientFactory>();
        _off = factory.CreateClient("off");
        _on = factory.CreateClient("on");
        _usage = _provider.GetRequiredService<GraphPermissionUsage>();

        // Warm both connections and check the setup does what it claims: 200s, a token on each, the calls recorded.
        var authorized = _graph.Authorized;
        for (var i = 0; i < 2; i++)
        {
            Check.That(Off().GetAwaiter().GetResult() == 200, "off: 200 over loopback https");
            Check.That(On().GetAwaiter().GetResult() == 200, "on: 200 over loopback https");
        }

        Check.That(_graph.Authorized - authorized == 4, $"every request carried the token ({_graph.Authorized - authorized} of 4)");
        Check.That(Recorded() == 2, $"on: every request recorded under GET /users/{{id}} (recorded {Recorded()})");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Check.That(_usage.Failures == 0, "recording never failed");
        Check.That(_source.Calls == 2, $"every measured request was served from the cache (acquisitions: {_source.Calls})");
        _provider.Dispose();
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

    private async Task<int> Send(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://graph.microsoft.com/v1.0/users/{_ids[_next++ & (Ids - 1)]}");
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    private long Recorded() => _usage.GetReport().Operations.Where(o => o.PathTemplate == "/users/{id}").Sum(o => o.Count);

    private IHttpClientBuilder Client(IServiceCollection services, string name) =>
        services.AddHttpClient(name).ConfigurePrimaryHttpMessageHandler(() => _graph.CreateHandler()).RemoveAllLoggers();
}
