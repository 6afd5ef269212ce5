using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GraphAuthResilience.Benchmarks.Infrastructure;

/// <summary>
/// The clients the permission recording benchmarks compare: <c>IHttpClientFactory</c> clients with the chain (loggers
/// removed), alike but for <see cref="GraphAuthOptions.RecordPermissionUse"/> and their primary handler, all with one
/// app-only token (<c>User.Read.All</c>) from a <see cref="StaticGraphTokenSource"/>, and the recorder behind them.
/// </summary>
internal sealed class RecordingClients : IDisposable
{
    private readonly ServiceProvider _provider;
    private readonly Dictionary<string, HttpClient> _clients = [];

    /// <summary>Builds the clients.</summary>
    /// <param name="clients">Each client's name, whether it records, and its primary handler.</param>
    public RecordingClients(params (string Name, bool Record, Func<HttpMessageHandler> Primary)[] clients)
    {
        Source = new StaticGraphTokenSource(Token);
        var services = new ServiceCollection();
        foreach (var (name, record, primary) in clients)
        {
            services.AddHttpClient(name).ConfigurePrimaryHttpMessageHandler(primary).RemoveAllLoggers()
                .AddGraphAuthHandlers(o =>
                {
                    o.TokenSource = Source;
                    o.RecordPermissionUse = record;
                });
        }

        _provider = services.BuildServiceProvider();
        var factory = _provider.GetRequiredService<IHttpClientFactory>();
        foreach (var (name, _, _) in clients)
        {
            _clients[name] = factory.CreateClient(name);
        }

        Usage = _provider.GetRequiredService<GraphPermissionUsage>();
    }

    /// <summary>Gets the token every client attaches.</summary>
    public string Token { get; } = UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build();

    /// <summary>Gets the token source (its <see cref="StaticGraphTokenSource.Calls"/> are the acquisitions).</summary>
    public StaticGraphTokenSource Source { get; }

    /// <summary>Gets the recorder shared by the clients that record.</summary>
    public GraphPermissionUsage Usage { get; }

    /// <summary>Gets a client by name.</summary>
    /// <param name="name">The client's name.</param>
    public HttpClient this[string name] => _clients[name];

    /// <summary>Checks that the recording clients' warm-up calls were all recorded under <c>GET /users/{id}</c>.</summary>
    /// <param name="expected">How many calls the clients that record made.</param>
    public void CheckRecordedUserCalls(long expected)
    {
        var recorded = Usage.GetReport().Operations.Where(o => o.PathTemplate == "/users/{id}").Sum(o => o.Count);
        Check.That(recorded == expected, $"on: every request recorded under GET /users/{{id}} (recorded {recorded} of {expected})");
    }

    /// <summary>Checks what every benchmark's clean-up checks: recording never failed, and every measured request was
    /// served from the cache (one acquisition per client).</summary>
    public void CheckServedFromCache()
    {
        Check.That(Usage.Failures == 0, "recording never failed");
        Check.That(Source.Calls == _clients.Count, $"every measured request was served from the cache (acquisitions: {Source.Calls}, clients: {_clients.Count})");
    }

    /// <summary>Sends one GET and returns its status.</summary>
    /// <param name="client">The client.</param>
    /// <param name="uri">The URI.</param>
    /// <returns>The status code.</returns>
    public static async Task<int> GetAsync(HttpClient client, Uri uri)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    public void Dispose() => _provider.Dispose();
}
