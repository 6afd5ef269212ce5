using System.Net;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.Tests.Graph;

/// <summary>A token for one cloud goes only to that cloud's Graph hosts (unless the application lists
/// other hosts explicitly), only on the default port unless an entry names one, and Unicode host entries match.</summary>
public class GraphHostPolicyTests
{
    [TestCase("https://graph.microsoft.us/v1.0/me")]
    [TestCase("https://dod-graph.microsoft.us/v1.0/me")]
    [TestCase("https://microsoftgraph.chinacloudapi.cn/v1.0/me")]
    [TestCase("https://graph.microsoft.de/v1.0/me")]
    public async Task SendAsync_GraphRedirectsToANationalCloudHost_TheRedirectCarriesNoToken(string nationalCloud)
    {
        var source = new FakeGraphTokenSource();
        using var harness = RedirectingHarness(source, nationalCloud);

        using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me");

        var sent = harness.Graph.Requests.ToArray();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the redirect was followed");
        Assert.That(sent.Select(r => r.Uri.AbsoluteUri), Is.EqualTo(new[] { "https://graph.microsoft.com/v1.0/me", nationalCloud }));
        Assert.That(sent[0].TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(source.LastToken)).And.Not.Null);
        Assert.That(sent[1].AuthorizationScheme, Is.Null, "a token for https://graph.microsoft.com never reaches another cloud");
        Assert.That(source.CallCount, Is.EqualTo(1));
    }

    [Test]
    public async Task SendAsync_AllowedHostsListedExplicitly_OptsAnotherCloudIn()
    {
        var source = new FakeGraphTokenSource();
        using var harness = RedirectingHarness(source, "https://graph.microsoft.us/v1.0/me", o =>
        {
            o.AllowedHosts.Clear();
            o.AllowedHosts.Add("graph.microsoft.com");
            o.AllowedHosts.Add("graph.microsoft.us");
        });

        using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me");

        var sent = harness.Graph.Requests.ToArray();
        Assert.That(sent[0].TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(source.LastToken)).And.Not.Null);
        Assert.That(sent[1].TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(source.LastToken)).And.Not.Null, "the application named graph.microsoft.us itself");
    }

    [Test]
    public async Task SendAsync_UsGovernmentScopes_TokenOnlyToUsGovernmentHosts()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o =>
        {
            o.Scopes.Clear();
            o.Scopes.Add("https://graph.microsoft.us/.default");
        });
        var client = harness.CreateClient();

        foreach (var host in new[] { "graph.microsoft.us", "graph.microsoft.com", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn" })
        {
            using var response = await client.GetAsync($"https://{host}/v1.0/me");
        }

        Assert.That(
            harness.Graph.Requests.Select(r => (r.Uri.Host, HasToken: r.HasToken)),
            Is.EqualTo(new[] { ("graph.microsoft.us", true), ("graph.microsoft.com", false), ("dod-graph.microsoft.us", false), ("microsoftgraph.chinacloudapi.cn", false) }));
        Assert.That(source.Requests.Single().Scopes, Is.EqualTo(new[] { "https://graph.microsoft.us/.default" }));
    }

    [Test]
    public async Task SendAsync_PerRequestScopesNameAnotherCloud_ThatCloudsHostGetsTheToken()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);
        var client = harness.CreateClient();
        using var china = new HttpRequestMessage(HttpMethod.Get, "https://microsoftgraph.chinacloudapi.cn/v1.0/me")
            .SetGraphScopes("https://microsoftgraph.chinacloudapi.cn/.default");
        using var chinaScopesToGlobal = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me")
            .SetGraphScopes("https://microsoftgraph.chinacloudapi.cn/.default");

        using (await client.SendAsync(china))
        using (await client.SendAsync(chinaScopesToGlobal))
        {
        }

        var sent = harness.Graph.Requests.ToArray();
        Assert.That(sent[0].HasToken, Is.True);
        Assert.That(sent[1].HasToken, Is.False, "a token for the China cloud never goes to the global host");
        Assert.That(source.CallCount, Is.EqualTo(1));
    }

    [Test]
    public async Task SendAsync_AddedHostWithDefaultsKept_AddedHostServedAndOtherCloudsStillKeptOut()
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o => o.AllowedHosts.Add("graph-proxy.contoso.example"));
        var client = harness.CreateClient();

        using (await client.GetAsync("https://graph-proxy.contoso.example/v1.0/me"))
        using (await client.GetAsync("https://graph.microsoft.us/v1.0/me"))
        {
        }

        Assert.That(harness.Graph.Requests.Select(r => r.HasToken), Is.EqualTo(new[] { true, false }));
    }

    [TestCase("https://graph.microsoft.com:8443/v1.0/me", false)]
    [TestCase("https://graph.microsoft.com:443/v1.0/me", true)]
    [TestCase("https://graph.microsoft.com/v1.0/me", true)]
    public async Task SendAsync_PortNotNamedInAnyEntry_OnlyTheDefaultPortGetsTheToken(string url, bool token)
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source);

        using var response = await harness.CreateClient().GetAsync(url);

        Assert.That(harness.Graph.Requests.Single().HasToken, Is.EqualTo(token));
    }

    [TestCase("https://graph.microsoft.com:8443/v1.0/me", true)]
    [TestCase("https://graph.microsoft.com:9443/v1.0/me", false)]
    [TestCase("https://graph.microsoft.com/v1.0/me", false)]
    public async Task SendAsync_EntryNamesAPort_OnlyThatPortGetsTheToken(string url, bool token)
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o =>
        {
            o.AllowedHosts.Clear();
            o.AllowedHosts.Add("graph.microsoft.com:8443");
        });

        using var response = await harness.CreateClient().GetAsync(url);

        Assert.That(harness.Graph.Requests.Single().HasToken, Is.EqualTo(token));
    }

    [TestCase("https://graph.bücher.example/v1.0/me")]
    [TestCase("https://graph.xn--bcher-kva.example/v1.0/me")]
    [TestCase("https://GRAPH.BÜCHER.EXAMPLE/v1.0/me")]
    public async Task SendAsync_UnicodeHostEntry_IsNormalisedAndMatchesItsRequests(string url)
    {
        var source = new FakeGraphTokenSource();
        using var harness = new ChainHarness(source, o => o.AllowedHosts.Add("graph.bücher.example"));

        using var response = await harness.CreateClient().GetAsync(url);

        Assert.That(source.CallCount, Is.EqualTo(1));
        Assert.That(harness.Graph.Requests.Single().TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(source.LastToken)).And.Not.Null);
    }

    [TestCase("graph.bücher.example", "graph.xn--bcher-kva.example", -1)]
    [TestCase("GRAPH.Microsoft.com", "graph.microsoft.com", -1)]
    [TestCase("graph.microsoft.com:8443", "graph.microsoft.com", 8443)]
    [TestCase("graph.microsoft.com:443", "graph.microsoft.com", -1)]
    [TestCase("[::1]:8443", "::1", 8443)]
    public void TryParseEntry_ValidEntry_IsNormalised(string entry, string host, int port)
    {
        Assert.That(GraphHostPolicy.TryParseEntry(entry, out var parsedHost, out var parsedPort, out var error), Is.True, error);
        Assert.That((parsedHost, parsedPort), Is.EqualTo((host, port)));
    }

    [TestCase("graph.microsoft.com:0")]
    [TestCase("graph.microsoft.com:99999")]
    [TestCase("graph.microsoft.com:port")]
    [TestCase("bü cher.example")]
    [TestCase("user@graph.microsoft.com")]
    [TestCase("graph.microsoft.com?x")]
    public void AddGraphAuthHandlers_InvalidHostEntry_FailsAtStartNamingTheEntry(string entry)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("graph").AddGraphAuthHandlers(o =>
        {
            o.TokenSource = new FakeGraphTokenSource();
            o.AllowedHosts.Add(entry);
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Message, Does.Contain("AllowedHosts").And.Contain(entry));
    }

    [Test]
    public void CloudsOf_ScopeShapes_NameTheirCloud()
    {
        Assert.Multiple(() =>
        {
            Assert.That(GraphHostPolicy.CloudsOf(["https://graph.microsoft.com/.default"]), Is.EqualTo(new[] { "global" }));
            Assert.That(GraphHostPolicy.CloudsOf(["User.Read", "offline_access", "openid"]), Is.EqualTo(new[] { "global" }));
            Assert.That(GraphHostPolicy.CloudsOf(["https://dod-graph.microsoft.us/User.Read"]), Is.EqualTo(new[] { "dod" }));
            Assert.That(GraphHostPolicy.CloudsOf(["https://microsoftgraph.chinacloudapi.cn/.default"]), Is.EqualTo(new[] { "china" }));
            Assert.That(GraphHostPolicy.CloudsOf(["https://outlook.office.com/.default"]), Is.Empty, "another API names no Graph cloud");
            Assert.That(GraphHostPolicy.CloudsOf(["openid", "profile"]), Is.Empty);
        });
    }

    /// <summary>A client whose outer handler follows redirects by re-sending the same request with its headers (the
    /// worst case: the redirected request passes through the chain again, still carrying the token).</summary>
    private static RedirectingClient RedirectingHarness(FakeGraphTokenSource source, string target, Action<GraphAuthOptions>? configure = null)
    {
        var graph = new FakeGraph
        {
            Respond = (request, _) =>
            {
                if (request.RequestUri!.Host == "graph.microsoft.com")
                {
                    var redirect = new HttpResponseMessage(HttpStatusCode.TemporaryRedirect);
                    redirect.Headers.Location = new Uri(target);
                    return redirect;
                }

                return GraphResponses.Ok();
            },
        };
        var services = new ServiceCollection();
        services.AddHttpClient("graph")
            .AddHttpMessageHandler(() => new NaiveRedirectHandler())
            .AddGraphAuthHandlers(o =>
            {
                o.TokenSource = source;
                configure?.Invoke(o);
            })
            .ConfigurePrimaryHttpMessageHandler(() => graph);
        return new RedirectingClient(services.BuildServiceProvider(), graph);
    }

    private sealed class RedirectingClient(ServiceProvider provider, FakeGraph graph) : IDisposable
    {
        public FakeGraph Graph => graph;

        public HttpClient CreateClient() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph");

        public void Dispose() => provider.Dispose();
    }

    private sealed class NaiveRedirectHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode is HttpStatusCode.TemporaryRedirect && response.Headers.Location is { } location)
            {
                response.Dispose();
                request.RequestUri = location;
                response = await base.SendAsync(request, cancellationToken);
            }

            return response;
        }
    }
}
