using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Benchmarks.Infrastructure;
using GraphAuthResilience.Testing;
using Microsoft.Graph;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// The cost of <see cref="GraphAuthOptions.RecordPermissionUse"/> on a 2xx as an app's code meets it: a real
/// <see cref="GraphServiceClient"/> calling <c>Users[id].GetAsync()</c> (a new id on every call, so Kiota builds a new
/// URI each time, as it does in an app) over the same <c>IHttpClientFactory</c> clients as
/// <see cref="PermissionRecordingBenchmarks"/> (<see cref="RecordingClients"/>), answered in memory with the user Graph's
/// documentation shows for <c>GET /users/{id}</c>. No socket, no network: the whole cost is the client's own work.
/// </summary>
[MemoryDiagnoser]
public class PermissionRecordingUnderGraphClientBenchmarks
{
    // The response body of "Get a user" (Microsoft Graph v1.0 documentation, example 1).
    private const string UserJson =
        """{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users/$entity","businessPhones":["+1 425 555 0109"],"displayName":"Adele Vance","givenName":"Adele","jobTitle":"Retail Manager","mail":"AdeleV@contoso.com","mobilePhone":null,"officeLocation":"18/2111","preferredLanguage":"en-US","surname":"Vance","userPrincipalName":"AdeleV@contoso.com","id":"87d349ed-44d7-43e1-9a83-5f2406dee5bd"}""";

    private const int Ids = 1024;
    private readonly string[] _ids = [.. Enumerable.Range(0, Ids).Select(_ => Guid.NewGuid().ToString())];
    private RecordingClients _clients = null!;
    private GraphServiceClient _off = null!;
    private GraphServiceClient _on = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _clients = new RecordingClients(("off", false, Graph), ("on", true, Graph));
        (_off, _on) = (new GraphServiceClient(_clients["off"]), new GraphServiceClient(_clients["on"]));

        // Warm both and check the setup does what it claims: the user read back, the calls recorded.
        for (var i = 0; i < 2; i++)
        {
            Check.That(Off().GetAwaiter().GetResult() == "Adele Vance", "off: the user read back");
            Check.That(On().GetAwaiter().GetResult() == "Adele Vance", "on: the user read back");
        }

        _clients.CheckRecordedUserCalls(2);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _clients.CheckServedFromCache();
        _clients.Dispose();
    }

    [Benchmark(Baseline = true, Description = "GraphServiceClient in memory: recording off")]
    public Task<string?> Off() => GetUser(_off);

    [Benchmark(Description = "GraphServiceClient in memory: recording on (new id each request)")]
    public Task<string?> On() => GetUser(_on);

    /// <summary>The off/on rows as a paired comparison (<see cref="PairedComparison"/>).</summary>
    /// <param name="rounds">How many rounds.</param>
    /// <param name="perBlock">Requests per block.</param>
    public static void Paired(int rounds = 201, int perBlock = 2_000)
    {
        var benchmarks = new PermissionRecordingUnderGraphClientBenchmarks();
        benchmarks.Setup();
        try
        {
            PairedComparison.Run(
                "Permission recording under a GraphServiceClient, off → on (Users[id].GetAsync(), answered in memory)",
                [("new id each request", () => Status(benchmarks.Off()), () => Status(benchmarks.On()))],
                rounds,
                perBlock);
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static async Task<int> Status(Task<string?> call) => await call.ConfigureAwait(false) is null ? 0 : 200;

    private static FakeGraph Graph() => BenchmarkGraph.Create(static (_, _) =>
        new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(UserJson, Encoding.UTF8, "application/json") });

    private async Task<string?> GetUser(GraphServiceClient graph) =>
        (await graph.Users[_ids[_next++ & (Ids - 1)]].GetAsync().ConfigureAwait(false))?.DisplayName;
}
