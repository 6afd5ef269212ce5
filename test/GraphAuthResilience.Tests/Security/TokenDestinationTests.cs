using System.Net;
using FsCheck;
using FsCheck.Fluent;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace GraphAuthResilience.Tests.Security;

/// <summary>A token goes only to https hosts in AllowedHosts: never over http, never to another host after a redirect
/// or after the caller re-sends the same request elsewhere.</summary>
public class TokenDestinationTests
{
    [Test]
    public async Task SendAsync_GraphRedirectHandlerFollows302ToAnotherHost_TheRedirectCarriesNoToken()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, client: b => b.AddHttpMessageHandler(() => new RedirectHandler()));
        harness.Graph.Respond = (request, _) =>
        {
            if (request.RequestUri!.Host == "graph.microsoft.com")
            {
                var redirect = new HttpResponseMessage(HttpStatusCode.Found);
                redirect.Headers.Location = new Uri("https://attacker.example/collect");
                return redirect;
            }

            return GraphResponses.Json(HttpStatusCode.OK, "{}");
        };

        using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me/photo/$value");

        var sent = harness.Graph.Requests.ToArray();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the redirect was followed");
        Assert.That(sent.Select(r => r.Uri.Host), Is.EqualTo(new[] { "graph.microsoft.com", "attacker.example" }));
        Assert.That(sent[0].TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(source.LastToken)).And.Not.Null);
        Assert.That(sent[1].HasAuthorization, Is.False, "no token to the other host");
        Assert.That(sent[1].AuthorizationScheme, Is.Null, "no Authorization header at all");
    }

    [TestCase("https://attacker.example/v1.0/me")]
    [TestCase("http://graph.microsoft.com/v1.0/me")]
    [TestCase("https://graph.microsoft.com.attacker.example/v1.0/me")]
    [TestCase("https://graph.microsoft.us/v1.0/me")]
    public async Task SendAsync_SameRequestResentToAnotherHost_TheResendCarriesNoToken(string elsewhere)
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o =>
        {
            o.AllowedHosts.Clear();
            o.AllowedHosts.Add("graph.microsoft.com");
        });
        using var invoker = new HttpMessageInvoker(harness.CreateClient().GetInnerHandlerChain(harness), disposeHandler: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");

        using (await invoker.SendAsync(request, CancellationToken.None))
        {
        }

        request.RequestUri = new Uri(elsewhere);
        using (await invoker.SendAsync(request, CancellationToken.None))
        {
        }

        var sent = harness.Graph.Requests.ToArray();
        Assert.That(sent, Has.Length.EqualTo(2));
        Assert.That(sent[0].TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(source.LastToken)));
        Assert.That(sent[1].HasAuthorization, Is.False, "the token attached for graph.microsoft.com was removed");
        Assert.That(source.CallCount, Is.EqualTo(1));
    }

    [Test]
    public async Task SendAsync_ArbitraryUris_TokenOnlyForHttpsAndAnAllowedHost()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        var client = harness.CreateClient();
        // The oracle, written out: default scopes name the global cloud, so only its Graph hosts, on the https port.
        var globalHosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "graph.microsoft.com", "canary.graph.microsoft.com" };
        var hosts = Gen.Elements("graph.microsoft.com", "GRAPH.MICROSOFT.COM", "graph.microsoft.us", "graph.microsoft.com.evil.example", "evilgraph.microsoft.com",
            "graph.microsoft.co", "login.microsoftonline.com", "127.0.0.1", "[::1]", "xn--grph-microsoft-vnb.com", "graph.microsoft.com.", "localhost");
        var gen =
            from scheme in Gen.Elements("https", "http")
            from host in hosts
            from port in Gen.Elements(string.Empty, ":443", ":8443")
            from path in Gen.Elements("/v1.0/me", "/beta/users?$top=1", "/", "/%2e%2e/x")
            select new Uri($"{scheme}://{host}{port}{path}");
        var cases = 0;
        var wrong = new List<string>();

        foreach (var uri in gen.Sample(400))
        {
            cases++;
            var before = harness.Graph.Requests.Count;
            using var response = await client.GetAsync(uri);
            var token = harness.Graph.Requests.ToArray()[before].TokenHash;
            var expected = uri.Scheme == "https" && globalHosts.Contains(uri.IdnHost) && uri.Port == 443;
            if ((token is not null) != expected)
            {
                wrong.Add($"{uri} token={(token is null ? "none" : "sent")}");
            }
        }

        await TestContext.Out.WriteLineAsync($"token destination: {cases} generated URIs");
        Assert.That(wrong, Is.Empty);
        Assert.That(cases, Is.EqualTo(400));
    }
}

internal static class ChainHarnessExtensions
{
    /// <summary>The handler chain the named client uses (failure, challenge, token handlers over FakeGraph).</summary>
    public static HttpMessageHandler GetInnerHandlerChain(this HttpClient client, ChainHarness harness)
    {
        _ = client;
        return harness.Provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(ChainHarness.ClientName);
    }
}
