using System.Net;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace GraphAuthResilience.Tests.Permissions;

/// <summary>
/// A real DI container with two clients, each <c>AddHttpClient(...).AddGraphAuthHandlers(o => o.RecordPermissionUse = true)</c>
/// over its own <see cref="FakeGraph"/>: "delegated" (a signed-in user's token) and "app" (an app-only token), each from
/// a <see cref="FakeGraphTokenSource"/> that hands out the token the test gives. Every Graph call answers
/// <paramref name="status"/> (200 by default), every step of a <c>POST /$batch</c> 200; at once, or after a yield when
/// <paramref name="answerLater"/> (as a real transport answers: the send's task is not complete when it comes back).
/// </summary>
internal sealed class PermissionHarness : IDisposable
{
    public const string Delegated = "delegated";
    public const string App = "app";

    public PermissionHarness(
        string delegatedToken, string appToken, bool record = true, Action<IServiceCollection>? services = null, HttpStatusCode status = HttpStatusCode.OK, bool answerLater = false)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services?.Invoke(collection);
        foreach (var (name, token) in new[] { (Delegated, delegatedToken), (App, appToken) })
        {
            var graph = new FakeGraph
            {
                Respond = (_, _) => status == HttpStatusCode.OK ? null : GraphResponses.Json(status, "{}"),
                BeforeAnswer = answerLater ? static async (_, _) => await Task.Yield() : null,
            };
            Graphs[name] = graph;
            var source = new FakeGraphTokenSource { TokenFactory = (_, _) => token };
            Sources[name] = source;
            collection.AddHttpClient(name)
                .AddGraphAuthHandlers(o =>
                {
                    o.TokenSource = source;
                    o.RecordPermissionUse = record;
                    o.ThrowOnAuthFailure = false;
                })
                .ConfigurePrimaryHttpMessageHandler(() => graph);
        }

        Provider = collection.BuildServiceProvider();
    }

    public Dictionary<string, FakeGraph> Graphs { get; } = [];

    public Dictionary<string, FakeGraphTokenSource> Sources { get; } = [];

    public ServiceProvider Provider { get; }

    public FakeLogCollector Logs => Provider.GetFakeLogCollector();

    public IGraphPermissionUsage Usage => Provider.GetRequiredService<IGraphPermissionUsage>();

    public GraphPermissionUsage Recorder => Provider.GetRequiredService<GraphPermissionUsage>();

    public HttpClient Client(string name) => Provider.GetRequiredService<IHttpClientFactory>().CreateClient(name);

    public async Task GetAsync(string name, string relative)
    {
        using var response = await Client(name).GetAsync("https://graph.microsoft.com" + relative);
        Assert.That(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Forbidden, $"{relative}: {response.StatusCode}");
    }

    public async Task BatchAsync(string name, params (string Method, string Url)[] steps)
    {
        var body = "{\"requests\":[" + string.Join(',', steps.Select((s, i) =>
            $"{{\"id\":\"{i + 1}\",\"method\":\"{s.Method}\",\"url\":\"{s.Url}\"}}")) + "]}";
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await Client(name).PostAsync("https://graph.microsoft.com/v1.0/$batch", content);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    public void Dispose() => Provider.Dispose();
}
