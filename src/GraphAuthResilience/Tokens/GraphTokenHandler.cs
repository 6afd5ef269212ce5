using System.Diagnostics.CodeAnalysis;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Telemetry;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// Attaches <c>Authorization: Bearer</c> to https requests bound for an allowed host; leaves a caller-set header
/// alone; removes the token it attached when the same request is sent again to another host.
/// </summary>
/// <remarks>
/// On a 2xx nothing is stored per request: the header it attaches (<see cref="GraphBearerHeader"/>, one instance per
/// token) is how the challenge and failure handlers know the token was ours. It reads a
/// <see cref="GraphSendDirective"/> (claims to meet, a rejected token) only while its chain has one in flight.
/// </remarks>
internal sealed class GraphTokenHandler : DelegatingHandler
{
    private readonly GraphTokenCache _cache;
    private readonly GraphHostPolicy _hosts;
    private readonly GraphScopeSet _scopes;
    private readonly ILogger _logger;
    private readonly GraphAuthChain _chain;
    private readonly OnBehalfOfTokenSource? _onBehalfOf;
    private readonly IPartitionedGraphTokenSource? _partitioned;
    private readonly Func<HttpRequestMessage, string?>? _tenantResolver;
    private volatile GraphBearerHeader? _header;

    public GraphTokenHandler(GraphTokenCache cache, GraphAuthOptions options, ILogger logger, GraphAuthChain chain)
    {
        _cache = cache;
        _hosts = new GraphHostPolicy(options.AllowedHosts, options.Scopes);
        _scopes = GraphScopeSet.From([.. options.Scopes]);
        _logger = logger;
        _chain = chain;
        _onBehalfOf = cache.Source as OnBehalfOfTokenSource;
        _partitioned = cache.Source as IPartitionedGraphTokenSource;
        _tenantResolver = options.TenantResolver;
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _hosts.IsAllowed(request) ? throw GraphHostPolicy.SynchronousSendRefused() : base.Send(request, cancellationToken);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri;
        var requestScopes = GraphAuthHttpRequestMessageExtensions.GetGraphScopesIfAnySet(request);
        var host = uri is { IsAbsoluteUri: true } ? uri.IdnHost : string.Empty;
        var allowed = host.Length != 0 && _hosts.IsAllowed(uri!, host, requestScopes);
        string? partition = null;

        // NonValidated first: a caller's header that .NET cannot parse reads as null through the typed property, and
        // must still be left alone.
        var headers = request.Headers;
        if (headers.NonValidated.Count != 0 && headers.NonValidated.Contains("Authorization"))
        {
            if (request.Headers.Authorization is not GraphBearerHeader ours)
            {
                if (CopyOfOurs(headers) is not { } copied)
                {
                    Log.CallerAuthorizationKept(_logger, request.Method.Method, host);
                    return base.SendAsync(request, cancellationToken);
                }

                // A copy of a token this cache handed out (a handler outside the chain copied the header as text into
                // this message): never to a host the policy does not allow for that token; to an allowed host, the
                // chain's own, attached afresh for the copy's identity and scopes (so a 401 refreshes and replays).
                request.Headers.Authorization = null;
                if (host.Length == 0 || !_hosts.IsAllowed(uri!, host, copied.Scopes.Scopes))
                {
                    Log.CopiedTokenStripped(_logger, request.Method.Method, host.Length == 0 ? "relative" : host);
                    return base.SendAsync(request, cancellationToken);
                }

                Log.CopiedTokenAdopted(_logger, request.Method.Method, host);
                return Adopt(request, host, copied, cancellationToken);
            }

            if (!ReferenceEquals(ours.Chain, _chain))
            {
                // Another chain on this client attached it: that chain handles the request.
                return base.SendAsync(request, cancellationToken);
            }

            if (!allowed || !string.Equals(host, ours.Host, StringComparison.OrdinalIgnoreCase))
            {
                Log.TokenStripped(_logger, ours.Host, host);
                request.Headers.Authorization = null;
            }

            // The same message again (a replay or an outer retry): its partition is known.
            partition = ours.Partition;
        }

        if (!allowed)
        {
            Log.TokenNotAttached(_logger, request.Method.Method, uri?.IsAbsoluteUri == true ? uri.Scheme : "relative", host);
            return base.SendAsync(request, cancellationToken);
        }

        var scopes = requestScopes is null ? _scopes : GraphScopeSet.From(requestScopes);

        // The customer tenant: SetGraphTenant wins over the options' resolver; checked before any token work.
        var tenant = GraphAuthHttpRequestMessageExtensions.GetGraphTenantIfAnySet(request);
        if (tenant is null && _tenantResolver is not null && !TryResolveTenant(request, scopes, out tenant, out var refused))
        {
            return Task.FromException<HttpResponseMessage>(refused);
        }

        if (partition is not null && !GraphTokenCache.IsPartitionOfTenant(partition, tenant))
        {
            partition = null; // The message's tenant changed since the header was attached: its partition is not this one.
        }

        if (tenant is not null && _onBehalfOf is not null)
        {
            return CheckCallerTenantThenSendAsync(request, host, partition, scopes, tenant, cancellationToken);
        }

        return Route(request, host, partition, scopes, tenant, cancellationToken);
    }

    /// <summary>Finds the cache entry of the bearer token in a header that is not the chain's own object: only for a
    /// request that arrived with an <c>Authorization</c> header, never on the hot path.</summary>
    private TokenCacheEntry? CopyOfOurs(System.Net.Http.Headers.HttpRequestHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues("Authorization", out var values))
        {
            return null;
        }

        foreach (var value in values)
        {
            var text = value.AsSpan().Trim();
            if (text.Length > 7 && text[..6].Equals("Bearer", StringComparison.OrdinalIgnoreCase) && char.IsWhiteSpace(text[6])
                && _cache.FindIssued(text[7..].Trim().ToString()) is { } entry)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Sends a copy of one of the chain's tokens as the chain's own: the identity (partition, tenant) and scopes
    /// of the entry the copied token came from, whatever options the copy carries, unless it names its own tenant.</summary>
    private Task<HttpResponseMessage> Adopt(HttpRequestMessage request, string host, TokenCacheEntry copied, CancellationToken cancellationToken)
    {
        var tenant = GraphAuthHttpRequestMessageExtensions.GetGraphTenantIfAnySet(request) ?? copied.Tenant;
        var partition = copied.Key.Partition is { } p && GraphTokenCache.IsPartitionOfTenant(p, tenant) ? p : null;
        return tenant is not null && _onBehalfOf is not null && partition is null
            ? CheckCallerTenantThenSendAsync(request, host, partition, copied.Scopes, tenant, cancellationToken)
            : Route(request, host, partition, copied.Scopes, partition is null ? tenant : null, cancellationToken);
    }

    /// <summary>From the identity to the send: the send directive's path (a replay or a re-send), the on-behalf-of
    /// caller's, a tenant's or a partitioned source's, else the plain hit.</summary>
    private Task<HttpResponseMessage> Route(
        HttpRequestMessage request, string host, string? partition, GraphScopeSet scopes, string? tenant, CancellationToken cancellationToken)
    {
        var directive = GraphSendDirective.For(request, _chain);
        partition ??= directive?.Partition;
        if (tenant is not null && partition is null)
        {
            if (_partitioned is { } source)
            {
                return PartitionThenSendAsync(source.GetCachePartitionAsync(cancellationToken), request, host, scopes, tenant, directive, cancellationToken);
            }

            var slot = _cache.TenantPartition(tenant);
            if (directive is null)
            {
                // A customer tenant: its partition holds where its entry and header are, as an on-behalf-of caller's does.
                return SendForCaller(request, host, slot, scopes, cancellationToken);
            }

            partition = slot.Key;
        }

        if (directive is null && partition is null && _onBehalfOf is not null)
        {
            // On-behalf-of: the assertion instance finds its partition, and through it the caller's entry and header.
            var finding = _onBehalfOf.GetPartitionAsync(cancellationToken);
            return finding.IsCompletedSuccessfully
                ? SendForCaller(request, host, finding.Result, scopes, cancellationToken)
                : CallerThenSendAsync(finding, request, host, scopes, cancellationToken);
        }

        if (directive is null && partition is null && _partitioned is { } partitioned)
        {
            // On-behalf-of: the partition usually comes back synchronously (the assertion is hashed once per
            // assertion instance), so the hit stays free of async state machines.
            var finding = partitioned.GetCachePartitionAsync(cancellationToken);
            if (!finding.IsCompletedSuccessfully)
            {
                return PartitionThenSendAsync(finding, request, host, scopes, null, null, cancellationToken);
            }

            partition = finding.Result;
        }

        if (directive is not null)
        {
            return AcquireThenSendAsync(request, host, partition, scopes, directive, cancellationToken);
        }

        var cached = partition is null ? _cache.TryGetFresh(scopes) : null;
        if (cached is null)
        {
            var pending = _cache.GetTokenAsync(partition, scopes, null, null, cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return AttachWhenReadyAsync(pending, request, host, partition, scopes, cancellationToken);
            }

            cached = pending.Result.Value;
        }

        return SendWith(request, cached, HeaderFor(cached, host, partition, scopes), scopes, cancellationToken);
    }

    private Task<HttpResponseMessage> SendForCaller(
        HttpRequestMessage request, string host, TokenPartition caller, GraphScopeSet scopes, CancellationToken cancellationToken)
    {
        // The caller's last request through this handler left what it attached and what makes it still right: the
        // repeat request reads that and the cache entry, and attaches the same header.
        if (caller.Hit is { } hit && ReferenceEquals(hit.Handler, this) && ReferenceEquals(hit.Scopes, scopes)
            && string.Equals(hit.Host, host, StringComparison.Ordinal) && _cache.StillServes(hit.Entry, hit.Fresh, hit.RefreshAt, scopes.Key))
        {
            return SendWith(request, hit.Token, hit.Header, scopes, cancellationToken);
        }

        if (_cache.TryGetFresh(caller, scopes, out var entry) is not { } fresh)
        {
            var pending = _cache.GetTokenAsync(caller, scopes, cancellationToken);
            return pending.IsCompletedSuccessfully
                ? SendWith(request, pending.Result.Value, HeaderFor(pending.Result.Value, host, caller.Key, scopes), scopes, cancellationToken)
                : AttachWhenReadyAsync(pending, request, host, caller.Key, scopes, cancellationToken);
        }

        var token = fresh.Token.Value;
        var header = HeaderFor(token, host, caller.Key, scopes, caller.Hit?.Header);
        caller.Hit = new CallerHit(this, scopes, host, entry!, fresh, fresh.RefreshAt, token, header);
        return SendWith(request, token, header, scopes, cancellationToken);
    }

    /// <summary>Sends <paramref name="request"/> with <paramref name="header"/> (which carries <paramref name="token"/>),
    /// unless that token failed this very call's claims moments ago (<see cref="GraphAuthChain.TakeUnmetClaims"/>).</summary>
    private Task<HttpResponseMessage> SendWith(
        HttpRequestMessage request, string token, GraphBearerHeader header, GraphScopeSet scopes, CancellationToken cancellationToken)
    {
        if (_chain.TakeUnmetClaims(request, token) is { } unmet)
        {
            return Task.FromException<HttpResponseMessage>(UnmetClaimsFailure(request, unmet, scopes.Scopes));
        }

        request.Headers.Authorization = header;
        return base.SendAsync(request, cancellationToken);
    }

    private async Task<HttpResponseMessage> CallerThenSendAsync(
        ValueTask<TokenPartition> finding, HttpRequestMessage request, string host, GraphScopeSet scopes, CancellationToken cancellationToken)
    {
        var caller = await finding.ConfigureAwait(false);
        return await SendForCaller(request, host, caller, scopes, cancellationToken).ConfigureAwait(false);
    }

    private static GraphAuthException UnmetClaimsFailure(HttpRequestMessage request, string claims, IReadOnlyList<string> scopes) =>
        GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.UnsatisfiedClaimsChallenge,
            Message = $"Microsoft Graph demanded claims that a silently acquired token did not meet moments ago; the client's own re-send of {request.Method.Method} {GraphPath.Redact(request.RequestUri)} was not sent to Graph again.",
            StatusCode = System.Net.HttpStatusCode.Unauthorized,
            Claims = claims,
            Scopes = scopes,
        });

    private GraphBearerHeader HeaderFor(string token, string host, string? partition, GraphScopeSet scopes, GraphBearerHeader? reusable = null)
    {
        // One header value per token, shared by every request that carries it (the value is immutable): the handler
        // keeps the last one; an on-behalf-of caller offers the one it was last given.
        var header = reusable ?? _header;
        if (header is null || !ReferenceEquals(header.Chain, _chain) || !ReferenceEquals(header.Token, token)
            || !string.Equals(header.Host, host, StringComparison.Ordinal)
            || !string.Equals(header.Partition, partition, StringComparison.Ordinal) || !string.Equals(header.ScopesKey, scopes.Key, StringComparison.Ordinal))
        {
            header = new GraphBearerHeader(_chain, token, host, partition, scopes.Scopes, scopes.Key);
            if (reusable is null)
            {
                _header = header;
            }
        }

        return header;
    }

    private async Task<HttpResponseMessage> AttachWhenReadyAsync(
        ValueTask<GraphAccessToken> pending, HttpRequestMessage request, string host, string? partition, GraphScopeSet scopes,
        CancellationToken cancellationToken)
    {
        var token = (await pending.ConfigureAwait(false)).Value;
        return await SendWith(request, token, HeaderFor(token, host, partition, scopes), scopes, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> PartitionThenSendAsync(
        ValueTask<string> finding, HttpRequestMessage request, string host, GraphScopeSet scopes, string? tenant,
        GraphSendDirective? directive, CancellationToken cancellationToken)
    {
        var partition = await finding.ConfigureAwait(false);
        if (tenant is not null)
        {
            partition = GraphTokenCache.TenantPartitionKey(partition, tenant);
        }

        if (directive is not null)
        {
            return await AcquireThenSendAsync(request, host, partition, scopes, directive, cancellationToken).ConfigureAwait(false);
        }

        var token = (await _cache.GetTokenAsync(partition, scopes, null, null, cancellationToken).ConfigureAwait(false)).Value;
        return await SendWith(request, token, HeaderFor(token, host, partition, scopes), scopes, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> CheckCallerTenantThenSendAsync(
        HttpRequestMessage request, string host, string? partition, GraphScopeSet scopes, string tenant, CancellationToken cancellationToken)
    {
        if (await _onBehalfOf!.CheckTenantAsync(tenant, scopes.Scopes, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            throw refused;
        }

        // The tenant is the user's own: the caller's partition already is that tenant's.
        return await Route(request, host, partition, scopes, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A value for a message: control characters escaped, at most 64 characters.</summary>
    private static string Printable(string value)
    {
        var shown = new System.Text.StringBuilder(Math.Min(value.Length, 64) + 8);
        foreach (var c in value.Length > 64 ? value[..64] : value)
        {
            _ = char.IsControl(c) || c is '\u2028' or '\u2029' ? shown.Append($"\\u{(int)c:x4}") : shown.Append(c);
        }

        return value.Length > 64 ? shown.Append("...").ToString() : shown.ToString();
    }

    /// <summary>Runs <see cref="GraphAuthOptions.TenantResolver"/> and checks what it gives. A throw or a value that is
    /// no tenant fails the request before any token work, naming the resolver; the value is shown escaped and bounded.</summary>
    private bool TryResolveTenant(
        HttpRequestMessage request, GraphScopeSet scopes, out string? tenant, [NotNullWhen(false)] out GraphAuthException? refused)
    {
        tenant = null;
        refused = null;
        string? resolved;
        try
        {
            resolved = _tenantResolver!(request);
        }
        catch (Exception ex)
        {
            refused = GraphAuthException.Create(
                new GraphAuthFailureDetails
                {
                    Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
                    Message = $"GraphAuthOptions.TenantResolver threw {ex.GetType().Name}; no token was acquired.",
                    Remediation = "The tenant resolver threw; its exception is the inner exception of this one. It must return a tenant id (GUID), a domain name, or null for the token source's own tenant.",
                    Scopes = scopes.Scopes,
                },
                ex);
            return false;
        }

        if (resolved is null)
        {
            return true;
        }

        if (GraphTenantId.TryNormalize(resolved, out var canonical))
        {
            tenant = canonical;
            return true;
        }

        refused = GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.TokenAcquisitionFailed,
            Message = $"GraphAuthOptions.TenantResolver returned '{Printable(resolved)}', which is not a tenant; no token was acquired.",
            Remediation = "A tenant is a directory id (a GUID) or a domain name such as contoso.onmicrosoft.com; 'common', 'organizations', 'consumers', URLs and other text name no single tenant. Return null for the token source's own tenant.",
            Scopes = scopes.Scopes,
        });
        return false;
    }

    private async Task<HttpResponseMessage> AcquireThenSendAsync(
        HttpRequestMessage request, string host, string? partition, GraphScopeSet scopes, GraphSendDirective directive,
        CancellationToken cancellationToken)
    {
        if (partition is null && _cache.Source is IPartitionedGraphTokenSource partitioned)
        {
            partition = await partitioned.GetCachePartitionAsync(cancellationToken).ConfigureAwait(false);
        }

        var token = await _cache.GetTokenAsync(partition, scopes, directive.Claims, directive.RejectedToken, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = HeaderFor(token.Value, host, partition, scopes);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (directive is { Claims: not null, RejectedToken: { } rejected } && response.IsSuccessStatusCode)
        {
            // The claims were met: later requests without claims must not reuse the token Graph revoked.
            _cache.Invalidate(partition, scopes.Scopes, rejected);
        }

        return response;
    }
}
