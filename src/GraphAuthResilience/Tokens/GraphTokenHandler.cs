using System.Net.Http.Headers;
using GraphAuthResilience.Telemetry;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// Attaches <c>Authorization: Bearer</c> to https requests bound for an allowed host; leaves a caller-set header
/// alone; removes the token it attached when the same request is sent again to another host.
/// </summary>
internal sealed class GraphTokenHandler : DelegatingHandler
{
    private readonly GraphTokenCache _cache;
    private readonly GraphHostPolicy _hosts;
    private readonly string[] _scopes;
    private readonly string _scopesKey;
    private readonly ILogger _logger;
    private readonly string? _chainName;

    public GraphTokenHandler(GraphTokenCache cache, GraphAuthOptions options, ILogger logger, string? chainName = null)
    {
        _cache = cache;
        _hosts = new GraphHostPolicy(options.AllowedHosts);
        _scopes = [.. options.Scopes];
        _scopesKey = GraphTokenCache.ScopesKey(_scopes);
        _logger = logger;
        _chainName = chainName;
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        throw new NotSupportedException(
            "The Graph auth chain acquires tokens asynchronously (MSAL is async-only); use HttpClient.SendAsync. A synchronous Send would go out unauthenticated, so it is refused.");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = GraphAuthRequestContext.GetOrCreate(request);
        if (!context.IsHandledBy(_chainName))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var uri = request.RequestUri;
        var allowed = _hosts.IsAllowed(uri);
        var host = uri is { IsAbsoluteUri: true } ? uri.IdnHost : string.Empty;

        if (request.Headers.Authorization is { } authorization)
        {
            var ours = context.AttachedToken is not null
                && string.Equals(authorization.Parameter, context.AttachedToken, StringComparison.Ordinal);
            if (!ours)
            {
                Log.CallerAuthorizationKept(_logger, request.Method.Method, host);
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            if (!allowed || !string.Equals(host, context.AttachedHost, StringComparison.OrdinalIgnoreCase))
            {
                Log.TokenStripped(_logger, context.AttachedHost ?? "?", host);
                request.Headers.Authorization = null;
                context.AttachedToken = null;
                context.AttachedHost = null;
                context.SentToken = null;
            }
        }

        if (!allowed)
        {
            Log.TokenNotAttached(_logger, request.Method.Method, uri?.IsAbsoluteUri == true ? uri.Scheme : "relative", host);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var requestScopes = request.GetGraphScopes();
        var scopes = requestScopes ?? _scopes;
        var scopesKey = requestScopes is null ? _scopesKey : GraphTokenCache.ScopesKey(requestScopes);
        if (_cache.Source is IPartitionedGraphTokenSource partitioned && context.Partition is null)
        {
            context.Partition = await partitioned.GetCachePartitionAsync(cancellationToken).ConfigureAwait(false);
        }

        var token = await _cache.GetTokenAsync(context.Partition, scopesKey, context.Claims, context.RejectedToken, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        context.AttachedToken = token.Value;
        context.AttachedHost = host;
        context.SentToken = token.Value;
        context.Scopes = scopes;
        context.Sends++;
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
