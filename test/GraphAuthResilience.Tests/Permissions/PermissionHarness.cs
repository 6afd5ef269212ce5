using System.Net;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using RichardSzalay.MockHttp;

namespace GraphAuthResilience.Tests.Permissions;

/// <summary>
/// A real DI container with two clients, each <c>AddHttpClient(...).AddGraphAuthHandlers(o => o.RecordPermissionUse = true)</c>
/// over its own MockHttp Graph: "delegated" (a signed-in user's token) and "app" (an app-only token), each from a
/// <see cref="FakeGraphTokenSource"/> that hands out the token the test gives. Every Graph call answers 200 <c>{}</c>;
/// <c>POST /$batch</c> answers 200 for each step it was sent.
/// </summary>
internal sealed class PermissionHarness : IDisposable
{
    public const string Delegated = "delegated";
    public const string App = "app";

    public PermissionHarness(
        string delegatedToken, string appToken, bool record = true, Action<IServiceCollection>? services = null, HttpStatusCode status = HttpStatusCode.OK)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services?.Invoke(collection);
        foreach (var (name, token) in new[] { (Delegated, delegatedToken), (App, appToken) })
        {
            var mock = new MockHttpMessageHandler();
            mock.When(HttpMethod.Post, "https://graph.microsoft.com/*/$batch").Respond(request => BatchAnswer(request));
            mock.When("https://graph.microsoft.com/*").Respond(status, "application/json", "{}");
            Mocks[name] = mock;
            var source = new FakeGraphTokenSource { TokenFactory = (_, _) => token };
            Sources[name] = source;
            collection.AddHttpClient(name)
                .AddGraphAuthHandlers(o =>
                {
                    o.TokenSource = source;
                    o.RecordPermissionUse = record;
                    o.ThrowOnAuthFailure = false;
                })
                .ConfigurePrimaryHttpMessageHandler(() => mock);
        }

        Provider = collection.BuildServiceProvider();
    }

    public Dictionary<string, MockHttpMessageHandler> Mocks { get; } = [];

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

    private static HttpResponseMessage BatchAnswer(HttpRequestMessage request)
    {
        var text = request.Content!.ReadAsStringAsync().GetAwaiter().GetResult();
        using var document = System.Text.Json.JsonDocument.Parse(text);
        var ids = document.RootElement.GetProperty("requests").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToList();
        var answer = "{\"responses\":[" + string.Join(',', ids.Select(id => $"{{\"id\":\"{id}\",\"status\":200,\"body\":{{}}}}")) + "]}";
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer, System.Text.Encoding.UTF8, "application/json") };
    }
}
