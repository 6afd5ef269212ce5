using BenchmarkDotNet.Attributes;
using GraphAuthResilience.Benchmarks.Infrastructure;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Challenges;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.Logging.Abstractions;

namespace GraphAuthResilience.Benchmarks;

/// <summary>
/// Where the hot path's time goes: the chain's handlers built directly (no IHttpClientFactory), one layer at a time,
/// over the same in-memory terminal as <see cref="HotPathBenchmarks"/>, plus the token cache lookup on its own.
/// </summary>
[MemoryDiagnoser]
public class HotPathBreakdownBenchmarks
{
    private static readonly Uri Users = new(BenchmarkGraph.UsersUri);
    private static readonly GraphScopeSet Scopes = GraphScopeSet.From([GraphAuthOptions.DefaultScope]);
    private readonly string _token = UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build();
    private readonly FakeGraph _graph = BenchmarkGraph.Create();
    private GraphTokenCache _cache = null!;
    private HttpMessageInvoker _floor = null!;
    private HttpMessageInvoker _tokenOnly = null!;
    private HttpMessageInvoker _challengeAndToken = null!;
    private HttpMessageInvoker _fullChain = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new GraphAuthOptions { TokenSource = new StaticGraphTokenSource(_token) };
        _cache = new GraphTokenCache(options.TokenSource, TimeProvider.System, options.RefreshMargin, NullLogger.Instance);
        GraphTokenHandler Token(GraphAuthChain chain) => new(_cache, options, NullLogger.Instance, chain) { InnerHandler = _graph };
        _floor = new HttpMessageInvoker(new StaticBearerHandler(_token) { InnerHandler = _graph }, disposeHandler: false);
        _tokenOnly = new HttpMessageInvoker(Token(new GraphAuthChain()), disposeHandler: false);
        var pair = new GraphAuthChain();
        _challengeAndToken = new HttpMessageInvoker(
            new GraphChallengeHandler(options, NullLogger.Instance, pair) { InnerHandler = Token(pair) }, disposeHandler: false);
        var full = new GraphAuthChain();
        _fullChain = new HttpMessageInvoker(
            new GraphAuthFailureHandler(options, NullLogger.Instance, full)
            {
                InnerHandler = new GraphChallengeHandler(options, NullLogger.Instance, full) { InnerHandler = Token(full) },
            },
            disposeHandler: false);

        foreach (var (name, invoker) in new[] { ("floor", _floor), ("token", _tokenOnly), ("challenge+token", _challengeAndToken), ("full", _fullChain) })
        {
            Check.That(Send(invoker).GetAwaiter().GetResult() == 200 && _graph.LastRequest?.Carries(_token) == true, $"{name}: 200 with the token");
        }

        Check.That(CacheLookup().GetAwaiter().GetResult() == _token.Length, "the cache serves the token");
    }

    [Benchmark(Baseline = true, Description = "Floor: static bearer handler")]
    public Task<int> Floor() => Send(_floor);

    [Benchmark(Description = "GraphTokenHandler alone")]
    public Task<int> TokenHandler() => Send(_tokenOnly);

    [Benchmark(Description = "GraphChallengeHandler + GraphTokenHandler")]
    public Task<int> ChallengeAndToken() => Send(_challengeAndToken);

    [Benchmark(Description = "Full chain (+ GraphAuthFailureHandler)")]
    public Task<int> FullChain() => Send(_fullChain);

    [Benchmark(Description = "GraphTokenCache.GetTokenAsync hit alone (no HTTP)")]
    public async ValueTask<int> CacheLookup() => (await _cache.GetTokenAsync(null, Scopes, null, null, CancellationToken.None)).Value.Length;

    private static async Task<int> Send(HttpMessageInvoker invoker)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Users);
        using var response = await invoker.SendAsync(request, CancellationToken.None);
        return (int)response.StatusCode;
    }
}
