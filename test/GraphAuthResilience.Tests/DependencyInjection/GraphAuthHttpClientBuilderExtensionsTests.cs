using System.Net;
using GraphAuthResilience.Batching;
using GraphAuthResilience.Challenges;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Infrastructure;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.Tests.DependencyInjection;

public class GraphAuthHttpClientBuilderExtensionsTests
{
    [Test]
    public void AddGraphAuthHandlers_OrdersTheChainFailureChallengeToken()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("graph").AddGraphAuthHandlers(o => o.TokenSource = new FakeGraphTokenSource());
        using var provider = services.BuildServiceProvider();

        var handlers = ChainOf(provider, "graph");

        Assert.That(handlers, Is.EqualTo(new[] { typeof(GraphAuthFailureHandler), typeof(GraphBatchHandler), typeof(GraphChallengeHandler), typeof(GraphTokenHandler) }));
    }

    [Test]
    public void AddGraphAuthHandlers_CalledTwice_AddsOneChainAndAppliesBothConfigurations()
    {
        var services = new ServiceCollection();
        var builder = services.AddHttpClient("graph");
        builder.AddGraphAuthHandlers(o => o.TokenSource = new FakeGraphTokenSource());
        builder.AddGraphAuthHandlers(o => o.RefreshMargin = TimeSpan.FromMinutes(1));
        using var provider = services.BuildServiceProvider();

        Assert.That(ChainOf(provider, "graph").Count(t => t == typeof(GraphTokenHandler)), Is.EqualTo(1));
        var options = provider.GetRequiredService<IOptionsMonitor<GraphAuthOptions>>().Get("graph");
        Assert.That(options.RefreshMargin, Is.EqualTo(TimeSpan.FromMinutes(1)));
        Assert.That(options.TokenSource, Is.Not.Null);
    }

    [Test]
    public void AddGraphAuthHandlers_OptionsArePerClientName()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("a").AddGraphAuthHandlers(o => { o.TokenSource = new FakeGraphTokenSource(); o.Scopes.Clear(); o.Scopes.Add("User.Read"); });
        services.AddHttpClient("b").AddGraphAuthHandlers(o => o.TokenSource = new FakeGraphTokenSource());
        using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<GraphAuthOptions>>();

        Assert.That(monitor.Get("a").Scopes, Is.EqualTo(new[] { "User.Read" }));
        Assert.That(monitor.Get("b").Scopes, Is.EqualTo(new[] { GraphAuthOptions.DefaultScope }));
    }

    [Test]
    public async Task AddGraphAuthHandlers_TokenSourceFromDi_IsUsedWhenOptionsHaveNone()
    {
        var source = new FakeGraphTokenSource();
        var services = new ServiceCollection();
        services.AddSingleton<IGraphTokenSource>(source);
        var graph = new FakeGraph();
        services.AddHttpClient("graph").AddGraphAuthHandlers().ConfigurePrimaryHttpMessageHandler(() => graph);
        using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph").GetAsync("https://graph.microsoft.com/v1.0/me");

        Assert.That(source.CallCount, Is.EqualTo(1));
        Assert.That(graph.Requests.Single().TokenHash, Is.EqualTo(FakeGraphRequest.HashToken(source.LastToken)));
    }

    [TestCase("Scopes", "empty")]
    [TestCase("AllowedHosts", "http")]
    [TestCase("AllowedHosts", "empty")]
    [TestCase("RefreshMargin", "negative")]
    [TestCase("MaxReplayBufferBytes", "negative")]
    [TestCase("TokenSource", "missing")]
    public void AddGraphAuthHandlers_InvalidSetting_FailsAtStartNamingIt(string setting, string variant)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("graph").AddGraphAuthHandlers(o =>
        {
            o.TokenSource = setting == "TokenSource" ? null : new FakeGraphTokenSource();
            switch (setting, variant)
            {
                case ("Scopes", _): o.Scopes.Clear(); break;
                case ("AllowedHosts", "http"): o.AllowedHosts.Add("http://graph.microsoft.com"); break;
                case ("AllowedHosts", _): o.AllowedHosts.Clear(); break;
                case ("RefreshMargin", _): o.RefreshMargin = TimeSpan.FromMinutes(-1); break;
                case ("MaxReplayBufferBytes", _): o.MaxReplayBufferBytes = -1; break;
            }
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<GraphAuthOptions>>().Get("graph"));

        Assert.That(ex!.Message, Does.Contain(setting));
        Assert.That(ex.Message, Does.Match("'graph'|graph\\." + setting), "the message names the client");
    }

    [Test]
    public void AddGraphAuthHandlers_InvalidSetting_FailsWhenTheHostStarts()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("graph").AddGraphAuthHandlers(o => o.TokenSource = new FakeGraphTokenSource());
        services.Configure<GraphAuthOptions>("graph", o => o.RefreshMargin = TimeSpan.FromDays(1));
        using var provider = services.BuildServiceProvider();
        var startValidator = provider.GetRequiredService<IStartupValidator>();

        var ex = Assert.Throws<OptionsValidationException>(() => startValidator.Validate());

        Assert.That(ex!.Message, Does.Contain("RefreshMargin"));
    }

    [Test]
    public async Task AddGraphAuthHandlers_InConfigureHttpClientDefaults_EveryClientGetsTokens()
    {
        var source = new FakeGraphTokenSource();
        var graph = new FakeGraph();
        var services = new ServiceCollection();
        services.ConfigureHttpClientDefaults(b => b.AddGraphAuthHandlers(o => o.TokenSource = source).ConfigurePrimaryHttpMessageHandler(() => graph));
        services.AddHttpClient("one");
        services.AddHttpClient("two");
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();

        await factory.CreateClient("one").GetAsync("https://graph.microsoft.com/v1.0/me");
        await factory.CreateClient("two").GetAsync("https://graph.microsoft.com/v1.0/me");

        Assert.That(graph.Requests.Select(r => r.TokenHash), Has.All.EqualTo(FakeGraphRequest.HashToken(source.LastToken)));
        Assert.That(source.CallCount, Is.EqualTo(1), "clients configured through the defaults share one cache");
    }

    [Test]
    public async Task AddGraphAuthHandlers_InDefaultsAndOnTheNamedClient_TheClientsOwnChainServesAlone()
    {
        var defaultsSource = new FakeGraphTokenSource();
        var namedSource = new FakeGraphTokenSource();
        var graph = new FakeGraph();
        var services = new ServiceCollection();
        services.ConfigureHttpClientDefaults(b => b.AddGraphAuthHandlers(o => o.TokenSource = defaultsSource));
        services.AddHttpClient("graph").AddGraphAuthHandlers(o => o.TokenSource = namedSource).ConfigurePrimaryHttpMessageHandler(() => graph);
        graph.Respond = (_, n) => n == 1
            ? GraphResponses.Json(System.Net.HttpStatusCode.Unauthorized, "{}", GraphAuthResilience.Tests.Challenges.ChallengeSamples.CaeQuoted)
            : GraphResponses.Json(HttpStatusCode.OK, "{}");
        using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph").GetAsync("https://graph.microsoft.com/v1.0/me");

        Assert.That(response.IsSuccessStatusCode, Is.True);
        Assert.That(graph.Sends, Is.EqualTo(2), "one replay, not one per chain");
        Assert.That(namedSource.CallCount, Is.EqualTo(2), "the client's own chain (and its options) served it");
        Assert.That(defaultsSource.CallCount, Is.Zero);
        Assert.That(ChainOf(provider, "graph").Count(t => t == typeof(GraphTokenHandler)), Is.EqualTo(1));
    }

    [Test]
    public void AddGraphAuthHandlers_InConfigureHttpClientDefaults_UnnamedAndNamedClientsGetTheChain()
    {
        var source = new FakeGraphTokenSource();
        var graph = new FakeGraph();
        var services = new ServiceCollection();
        services.ConfigureHttpClientDefaults(b => b.AddGraphAuthHandlers(o => o.TokenSource = source).ConfigurePrimaryHttpMessageHandler(() => graph));
        services.AddHttpClient("named");
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();
        graph.Respond = (_, _) => GraphResponses.Json(System.Net.HttpStatusCode.Forbidden,
            "{\"error\":{\"code\":\"Authorization_RequestDenied\",\"message\":\"Insufficient privileges to complete the operation.\"}}");

        // The unnamed client (name "") is the one the defaults' own marker was confused with.
        var unnamed = Assert.CatchAsync<GraphAuthException>(() => factory.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/users"));
        var named = Assert.CatchAsync<GraphAuthException>(() => factory.CreateClient("named").GetAsync("https://graph.microsoft.com/v1.0/users"));

        Assert.That(unnamed!.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions), "diagnosed by the chain");
        Assert.That(named!.Cause, Is.EqualTo(GraphAuthFailureCause.InsufficientPermissions));
        Assert.That(source.CallCount, Is.EqualTo(1), "one token for both: they share the defaults' cache");
        Assert.That(graph.Requests.Select(r => r.TokenHash), Is.EqualTo(new[] { FakeGraphRequest.HashToken(source.LastToken), FakeGraphRequest.HashToken(source.LastToken) }), "both carried the token");
        Assert.That(ChainOf(provider, string.Empty), Is.EqualTo(new[] { typeof(GraphAuthFailureHandler), typeof(GraphBatchHandler), typeof(GraphChallengeHandler), typeof(GraphTokenHandler) }));
        Assert.That(ChainOf(provider, "named"), Is.EqualTo(new[] { typeof(GraphAuthFailureHandler), typeof(GraphBatchHandler), typeof(GraphChallengeHandler), typeof(GraphTokenHandler) }));
    }

    [Test]
    public async Task AddGraphAuthHandlers_InDefaultsAndOnTheUnnamedClient_TheClientsOwnChainServesAlone()
    {
        var defaultsSource = new FakeGraphTokenSource();
        var ownSource = new FakeGraphTokenSource();
        var graph = new FakeGraph();
        var services = new ServiceCollection();
        services.ConfigureHttpClientDefaults(b => b.AddGraphAuthHandlers(o => o.TokenSource = defaultsSource).ConfigurePrimaryHttpMessageHandler(() => graph));
        services.AddHttpClient(string.Empty).AddGraphAuthHandlers(o => o.TokenSource = ownSource);
        services.AddHttpClient("other");
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();

        using var first = await factory.CreateClient().GetAsync("https://graph.microsoft.com/v1.0/me");

        // The unnamed client's own options are named "" like the defaults' options, so both configurations apply
        // to it (the later one wins); what matters is that it has exactly one chain, and "other" still has one.
        Assert.That(ChainOf(provider, string.Empty).Count(t => t == typeof(GraphTokenHandler)), Is.EqualTo(1));
        Assert.That(ChainOf(provider, "other").Count(t => t == typeof(GraphTokenHandler)), Is.EqualTo(1));
        Assert.That(graph.Sends, Is.EqualTo(1));
        Assert.That(graph.Requests.Single().HasToken, Is.True);
        Assert.That(defaultsSource.CallCount + ownSource.CallCount, Is.EqualTo(1), "one chain, one token call");
    }

    [Test]
    public void AddGraphAuthHandlers_NullBuilder_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => GraphAuthHttpClientBuilderExtensions.AddGraphAuthHandlers(null!));
    }

    private static List<Type> ChainOf(IServiceProvider provider, string name) => ChainShape.Of(provider, name);
}
