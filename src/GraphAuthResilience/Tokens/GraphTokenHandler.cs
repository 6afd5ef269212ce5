using System.Net.Http.Headers;
using GraphAuthResilience.Graph;
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
    private volatile BearerHeader? _header;

    public GraphTokenHandler(GraphTokenCache cache, GraphAuthOptions options, ILogger logger, string? chainName = null)
    {
        _cache = cache;
        _hosts = new GraphHostPolicy(options.AllowedHosts);
        _scopes = [.. options.Scopes];
        _scopesKey = GraphTokenCache.ScopesKey(_scopes);
        _logger = logger;
        _chainName = chainName;
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _hosts.IsAllowed(request.RequestUri) ? throw GraphHostPolicy.SynchronousSendRefused() : base.Send(request, cancellationToken);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = GraphAuthRequestContext.GetOrCreate(request);
        if (!context.IsHandledBy(_chainName))
        {
            return base.SendAsync(request, cancellationToken);
        }

        var uri = request.RequestUri;
        var allowed = _hosts.IsAllowed(uri);
        var host = uri is { IsAbsoluteUri: true } ? uri.IdnHost : string.Empty;

        // NonValidated first: a caller's header that .NET cannot parse reads as null through the typed property, and
        // must still be left alone.
        if (request.Headers.NonValidated.Contains("Authorization"))
        {
            var authorization = request.Headers.Authorization;
            var ours = authorization is not null && context.AttachedToken is not null
                && string.Equals(authorization.Parameter, context.AttachedToken, StringComparison.Ordinal);
            if (!ours)
            {
                Log.CallerAuthorizationKept(_logger, request.Method.Method, host);
                return base.SendAsync(request, cancellationToken);
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
            return base.SendAsync(request, cancellationToken);
        }

        var requestScopes = request.GetGraphScopes();
        var scopes = requestScopes ?? _scopes;
        var scopesKey = requestScopes is null ? _scopesKey : GraphTokenCache.ScopesKey(requestScopes);
        if (_cache.Source is IPartitionedGraphTokenSource && context.Partition is null)
        {
            return PartitionThenSendAsync(request, context, host, scopes, scopesKey, cancellationToken);
        }

        var pending = _cache.GetTokenAsync(context.Partition, scopesKey, context.Claims, context.RejectedToken, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            Attach(request, context, pending.Result, host, scopes);
            return base.SendAsync(request, cancellationToken);
        }

        return AttachWhenReadyAsync(pending, request, context, host, scopes, cancellationToken);
    }

    private void Attach(HttpRequestMessage request, GraphAuthRequestContext context, GraphAccessToken token, string host, IReadOnlyList<string> scopes)
    {
        // One header value per token, shared by every request that carries it (the value is immutable).
        var header = _header;
        if (header is null || !ReferenceEquals(header.Token, token.Value))
        {
            header = new BearerHeader(token.Value, new AuthenticationHeaderValue("Bearer", token.Value));
            _header = header;
        }

        request.Headers.Authorization = header.Value;
        context.AttachedToken = token.Value;
        context.AttachedHost = host;
        context.SentToken = token.Value;
        context.Scopes = scopes;
    }

    private async Task<HttpResponseMessage> AttachWhenReadyAsync(
        ValueTask<GraphAccessToken> pending, HttpRequestMessage request, GraphAuthRequestContext context, string host,
        IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        Attach(request, context, await pending.ConfigureAwait(false), host, scopes);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> PartitionThenSendAsync(
        HttpRequestMessage request, GraphAuthRequestContext context, string host, IReadOnlyList<string> scopes, string scopesKey,
        CancellationToken cancellationToken)
    {
        context.Partition = await ((IPartitionedGraphTokenSource)_cache.Source).GetCachePartitionAsync(cancellationToken).ConfigureAwait(false);
        var token = await _cache.GetTokenAsync(context.Partition, scopesKey, context.Claims, context.RejectedToken, cancellationToken).ConfigureAwait(false);
        Attach(request, context, token, host, scopes);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private sealed record BearerHeader(string Token, AuthenticationHeaderValue Value);
}
