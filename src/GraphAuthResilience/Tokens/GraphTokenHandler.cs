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
    private readonly GraphScopeSet _scopes;
    private readonly ILogger _logger;
    private readonly string? _chainName;
    private volatile BearerHeader? _header;

    public GraphTokenHandler(GraphTokenCache cache, GraphAuthOptions options, ILogger logger, string? chainName = null)
    {
        _cache = cache;
        _hosts = new GraphHostPolicy(options.AllowedHosts);
        _scopes = GraphScopeSet.From([.. options.Scopes]);
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
        var scopes = requestScopes is null ? _scopes : GraphScopeSet.From(requestScopes);
        if (_cache.Source is IPartitionedGraphTokenSource partitioned && context.Partition is null)
        {
            var partition = partitioned.GetCachePartitionAsync(cancellationToken);
            if (!partition.IsCompletedSuccessfully)
            {
                return PartitionThenSendAsync(partition, request, context, host, scopes, cancellationToken);
            }

            context.Partition = partition.Result;
        }

        var pending = _cache.GetTokenAsync(context.Partition, scopes, context.Claims, context.RejectedToken, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            Attach(request, context, pending.Result, host, scopes.Scopes);
            return base.SendAsync(request, cancellationToken);
        }

        return AttachWhenReadyAsync(pending, request, context, host, scopes.Scopes, cancellationToken);
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
        ValueTask<string> partition, HttpRequestMessage request, GraphAuthRequestContext context, string host, GraphScopeSet scopes,
        CancellationToken cancellationToken)
    {
        context.Partition = await partition.ConfigureAwait(false);
        var token = await _cache.GetTokenAsync(context.Partition, scopes, context.Claims, context.RejectedToken, cancellationToken).ConfigureAwait(false);
        Attach(request, context, token, host, scopes.Scopes);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private sealed record BearerHeader(string Token, AuthenticationHeaderValue Value);
}
