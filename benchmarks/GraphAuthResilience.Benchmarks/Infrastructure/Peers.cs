using System.Net.Http.Headers;
using System.Security.Claims;
using GraphAuthResilience.Testing;
using Microsoft.Identity.Abstractions;
using Microsoft.Identity.Client;
using Microsoft.Kiota.Abstractions.Authentication;

namespace GraphAuthResilience.Benchmarks.Infrastructure;

/// <summary>The floor: what a user would hand-write with a token already in hand.</summary>
internal sealed class StaticBearerHandler(string token) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>An <see cref="IGraphTokenSource"/> that hands out one fixed token at once and counts calls.</summary>
internal sealed class StaticGraphTokenSource(string token) : IGraphTokenSource
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return ValueTask.FromResult(new GraphAccessToken(token, DateTimeOffset.UtcNow.AddHours(1)));
    }
}

/// <summary>Kiota's token provider, static: the cheapest possible input to Kiota's AuthorizationHandler.</summary>
internal sealed class StaticAccessTokenProvider(string token) : IAccessTokenProvider
{
    private readonly Task<string> _token = Task.FromResult(token);

    public AllowedHostsValidator AllowedHostsValidator { get; } = new(["graph.microsoft.com"]);

    public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
        _token;
}

/// <summary>Microsoft.Identity.Web's header provider, static: the cheapest possible input to MicrosoftIdentityMessageHandler.</summary>
internal sealed class StaticAuthorizationHeaderProvider(string token) : IAuthorizationHeaderProvider
{
    private readonly Task<string> _header = Task.FromResult("Bearer " + token);
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public Task<string> CreateAuthorizationHeaderForUserAsync(IEnumerable<string> scopes, AuthorizationHeaderProviderOptions? authorizationHeaderProviderOptions = null, ClaimsPrincipal? claimsPrincipal = null, CancellationToken cancellationToken = default) =>
        Count();

    public Task<string> CreateAuthorizationHeaderForAppAsync(string scopes, AuthorizationHeaderProviderOptions? downstreamApiOptions = null, CancellationToken cancellationToken = default) =>
        Count();

    public Task<string> CreateAuthorizationHeaderAsync(IEnumerable<string> scopes, AuthorizationHeaderProviderOptions? options = null, ClaimsPrincipal? claimsPrincipal = null, CancellationToken cancellationToken = default) =>
        Count();

    private Task<string> Count()
    {
        Interlocked.Increment(ref _calls);
        return _header;
    }
}

/// <summary>
/// What a provider without single flight does: asks MSAL for a token on every request (MSAL's own cache serves it
/// once a token has arrived; before that, every caller goes to the token endpoint).
/// </summary>
internal sealed class MsalPerRequestHandler(IConfidentialClientApplication app) : DelegatingHandler
{
    private static readonly string[] Scopes = [FakeEntraTokenEndpoint.Scope];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var result = await app.AcquireTokenForClient(Scopes).ExecuteAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", result.AccessToken);
        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// The naive answer to a 401: each request that gets one forces its own refresh and replays (no coordination
/// between requests).
/// </summary>
internal sealed class NaiveRefreshOn401Handler(IConfidentialClientApplication app) : DelegatingHandler
{
    private static readonly string[] Scopes = [FakeEntraTokenEndpoint.Scope];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var result = await app.AcquireTokenForClient(Scopes).ExecuteAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", result.AccessToken);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != System.Net.HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        result = await app.AcquireTokenForClient(Scopes).WithForceRefresh(true).ExecuteAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", result.AccessToken);
        return await base.SendAsync(request, cancellationToken);
    }
}
