using System.Net;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace GraphAuthResilience.Tests.Tokens;

/// <summary>
/// Handlers outside the chain that copy a request header by header as text into a new message (Kiota's
/// <see cref="RedirectHandler"/> with a scrub callback that keeps headers, Microsoft.Extensions.Http.Resilience's hedging
/// clones, a clone-and-forward handler): the copy of the chain's token never reaches a host the policy does not allow
/// for it, and a copy to an allowed host is the chain's own (refreshed and replayed on a 401).
/// </summary>
public class GraphTokenHandlerCopiedHeaderTests
{
    private const string Expired = """{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}""";

    public static readonly string[] ForeignHosts = ["https://evil.example/collect", "https://graph.microsoft.com.evil.example/v1.0/users"];

    private static HttpResponseMessage Redirect(string location)
    {
        var response = new HttpResponseMessage(HttpStatusCode.Redirect);
        response.Headers.Location = new Uri(location);
        return response;
    }

    private static ChainHarness KiotaRedirectOutside(FakeEntraTokenEndpoint endpoint) =>
        new(
            MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient(), new MsalTokenSourceOptions { RetryDelay = TimeSpan.FromMilliseconds(5) }),
            client: b => b.ConfigureAdditionalHttpMessageHandlers((handlers, _) =>
                handlers.Insert(0, new RedirectHandler(new RedirectHandlerOption { ScrubSensitiveHeaders = (_, _, _) => { } }))));

    [TestCaseSource(nameof(ForeignHosts))]
    public async Task KiotaRedirectKeepingHeaders_ToAForeignHost_TheCopyCarriesNoToken(string location)
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = KiotaRedirectOutside(endpoint);
        harness.Graph.Respond = (request, _) => request.RequestUri!.Host == "graph.microsoft.com" && request.RequestUri.AbsolutePath == "/v1.0/me"
            ? Redirect(location)
            : GraphResponses.Json(HttpStatusCode.OK, "{}");

        using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me");

        var sent = harness.Graph.Requests.ToArray();
        Assert.That(sent.Select(r => r.Uri.Host), Is.EqualTo(new[] { "graph.microsoft.com", new Uri(location).Host }), "Kiota followed the redirect");
        Assert.That(sent[0].Carries(endpoint.IssuedTokens.Single()), Is.True);
        Assert.That(sent[1].TokenHash, Is.Null, "no copy of the chain's token goes to " + location);
    }

    [Test]
    public async Task KiotaRedirectKeepingHeaders_ToGraph_TheCopyIsTheChainsOwn_RefreshedAndReplayedOn401()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = KiotaRedirectOutside(endpoint);
        string? first = null;
        harness.Graph.Respond = (request, _) =>
        {
            var token = request.Headers.Authorization?.Parameter;
            first ??= token;
            return request.RequestUri!.AbsolutePath == "/v1.0/me" ? Redirect("https://graph.microsoft.com/v1.0/users/adele")
                : token == first ? GraphResponses.Json(HttpStatusCode.Unauthorized, Expired, "Bearer realm=\"\", error=\"invalid_token\"")
                : GraphResponses.Json(HttpStatusCode.OK, "{}");
        };

        using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var sent = harness.Graph.Requests.ToArray();
        Assert.That(sent.Select(r => r.Uri.AbsolutePath), Is.EqualTo(new[] { "/v1.0/me", "/v1.0/users/adele", "/v1.0/users/adele" }));
        Assert.That(sent[2].TokenHash, Is.Not.EqualTo(FakeGraphRequest.HashToken(first)).And.EqualTo(FakeGraphRequest.HashToken(endpoint.IssuedTokens.Last())), "the 401 forced a refresh, and the copy was replayed with the new token");
        Assert.That(endpoint.Posts, Is.EqualTo(2));
    }

    [TestCaseSource(nameof(ForeignHosts))]
    public async Task CloneAndForwardHandler_ToAForeignHost_TheCloneCarriesNoToken(string forward)
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new ChainHarness(
            MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient()),
            client: b => b.ConfigureAdditionalHttpMessageHandlers((handlers, _) => handlers.Insert(0, new CloneAndForwardHandler(new Uri(forward)))));

        using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users");

        var sent = harness.Graph.Requests.ToArray();
        Assert.That(sent.Select(r => r.Uri.Host), Is.EqualTo(new[] { "graph.microsoft.com", new Uri(forward).Host }));
        Assert.That(sent[0].TokenHash, Is.Not.Null);
        Assert.That(sent[1].TokenHash, Is.Null);
    }

    [Test]
    public async Task CloneAndForwardHandler_ToGraph_TheCloneCarriesTheChainsToken()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new ChainHarness(
            MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient()),
            client: b => b.ConfigureAdditionalHttpMessageHandlers((handlers, _) => handlers.Insert(0, new CloneAndForwardHandler(new Uri("https://graph.microsoft.com/beta/users")))));

        using var response = await harness.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users");

        var sent = harness.Graph.Requests.ToArray();
        Assert.That(sent.Select(r => r.TokenHash), Is.EqualTo(new[] { FakeGraphRequest.HashToken(endpoint.IssuedTokens.Single()), FakeGraphRequest.HashToken(endpoint.IssuedTokens.Single()) }));
        Assert.That(endpoint.Posts, Is.EqualTo(1));
    }

    [Test]
    public async Task StandardHedgingHandlerRoutingToSeveralHosts_CopiesOfTheChainsToken_OnlyToTheAllowedHost()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var graph = new FakeGraph();
        var services = new ServiceCollection();
        services.AddHttpClient("hedged")
            .AddStandardHedgingHandler(routing => routing.ConfigureOrderedGroups(groups =>
            {
                foreach (var host in new[] { "https://graph.microsoft.com", "https://evil.example", "https://graph.microsoft.com.evil.example" })
                {
                    groups.Groups.Add(new UriEndpointGroup { Endpoints = { new WeightedUriEndpoint { Uri = new Uri(host) } } });
                }
            }))
            .Configure(o =>
            {
                o.Hedging.MaxHedgedAttempts = 2;
                o.Hedging.Delay = TimeSpan.FromMilliseconds(1);
            })
            .Services.AddHttpClient("hedged")
            .AddGraphAuthHandlers(o => o.TokenSource = MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient()))
            .ConfigurePrimaryHttpMessageHandler(() => graph);
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("hedged");

        // The application's own code copies the header of an earlier call into a new request, as text.
        using var earlier = await client.GetAsync("https://graph.microsoft.com/v1.0/me");
        var copied = earlier.RequestMessage!.Headers.Authorization!.ToString();
        graph.Respond = (request, _) => request.RequestUri!.Host != "graph.microsoft.com.evil.example"
            ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            : GraphResponses.Json(HttpStatusCode.OK, "{}");
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");
        request.Headers.TryAddWithoutValidation("Authorization", copied);

        using var response = await client.SendAsync(request);

        var sent = graph.Requests.Skip(1).ToArray();
        Assert.That(sent.Select(r => r.Uri.Host), Is.SupersetOf(new[] { "graph.microsoft.com", "evil.example", "graph.microsoft.com.evil.example" }), "hedging tried every host");
        Assert.That(sent.Where(r => r.Uri.Host != "graph.microsoft.com").Select(r => r.TokenHash), Has.All.Null, "no copy to a foreign host");
        Assert.That(sent.Where(r => r.Uri.Host == "graph.microsoft.com").Select(r => r.TokenHash), Has.All.EqualTo(FakeGraphRequest.HashToken(endpoint.IssuedTokens.Single())));
    }

    [Test]
    public async Task CallersOwnBearerToken_NotOneOfTheChains_LeftAlone()
    {
        var endpoint = new FakeEntraTokenEndpoint();
        using var harness = new ChainHarness(MsalTokenSource.ForClientCredentials(endpoint.CreateConfidentialClient()));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/users");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer callers-own-token");

        using var response = await harness.CreateClient().SendAsync(request);

        Assert.That(harness.Graph.Requests.Single().Carries("callers-own-token"), Is.True);
        Assert.That(endpoint.Posts, Is.EqualTo(0));
    }

    /// <summary>A user's handler that sends the request, then a copy of it (headers copied as text) to another URI,
    /// and returns the copy's answer.</summary>
    private sealed class CloneAndForwardHandler(Uri forward) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using (await base.SendAsync(request, cancellationToken))
            {
            }

            using var clone = new HttpRequestMessage(request.Method, forward);
            foreach (var header in request.Headers)
            {
                clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            return await base.SendAsync(clone, cancellationToken);
        }
    }
}
