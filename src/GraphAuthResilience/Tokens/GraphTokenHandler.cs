using System.Diagnostics.CodeAnalysis;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Telemetry;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Tokens;

/// <summary>
/// Attaches <c>Authorization: Bearer</c> to https requests bound for an allowed host; leaves a caller-set header
/// alone; removes the token it attached (or a copy of it made as text) when a request goes to a host not allowed for it.
/// </summary>
/// <remarks>
/// <para>One pipeline, in the order of <see cref="SendAsync"/>:</para>
/// <list type="number">
/// <item><description><b>Where to.</b> The host, and whether the policy allows a token there for the request's scopes.
/// A header already on the message is read first: the chain's own (the same message again: its identity is known;
/// stripped for another host), a copy of one of the cache's tokens (stripped for a host not allowed for it, else
/// adopted with the identity it was issued for), or the caller's (left alone). Only a request that arrives with an
/// <c>Authorization</c> header pays for this.</description></item>
/// <item><description><b>The identity</b> (<see cref="Identify"/>): the scopes, the customer tenant
/// (<c>SetGraphTenant</c>, else <see cref="GraphAuthOptions.TenantResolver"/>, validated before any token work), and the
/// <see cref="TokenPartition"/> the token is for: the source's own, a tenant's, an on-behalf-of caller's or a
/// partitioned source's.</description></item>
/// <item><description><b>Look up and attach</b> (<see cref="Attach"/>): the cache's fresh token for the identity, and one
/// <see cref="GraphBearerHeader"/> per token. <b>Slow path:</b> the cache acquires (single flight). A
/// <see cref="GraphSendDirective"/> (claims to meet, a rejected token: a replay or a re-send) always takes the slow path
/// (<see cref="AcquireThenSendAsync"/>).</description></item>
/// <item><description><b>Send</b> (<see cref="SendWith"/>), and, when <see cref="GraphAuthOptions.RecordPermissionUse"/> is on,
/// count the call (<see cref="GraphPermissionRecorder"/>; the challenge handler counts a 401/403 answer to it).</description></item>
/// </list>
/// <para><b>The one shortcut</b>: <see cref="TokenPartition.Last"/>, what this handler last attached for the identity
/// (entry, snapshot, header). It caches the look-up and attach steps: a request whose identity, scopes and host match,
/// and whose entry still holds that very snapshot before its refresh time, attaches the same header. Everything else on
/// the way is a lookup, not a cache.</para>
/// <para>On a 2xx nothing is stored per request: the header (one instance per token) is how the challenge and failure
/// handlers know the token was ours.</para>
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
    private readonly GraphPermissionRecorder? _recorder;

    public GraphTokenHandler(
        GraphTokenCache cache, GraphAuthOptions options, ILogger logger, GraphAuthChain chain, GraphPermissionRecorder? recorder = null)
    {
        _cache = cache;
        _hosts = new GraphHostPolicy(options.AllowedHosts, options.Scopes);
        _scopes = GraphScopeSet.From([.. options.Scopes]);
        _logger = logger;
        _chain = chain;
        _onBehalfOf = cache.Source as OnBehalfOfTokenSource;
        _partitioned = cache.Source as IPartitionedGraphTokenSource;
        _tenantResolver = options.TenantResolver;
        _recorder = recorder;
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _hosts.IsAllowed(request) ? throw GraphHostPolicy.SynchronousSendRefused() : base.Send(request, cancellationToken);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // 1. Where to.
        var uri = request.RequestUri;
        var requestScopes = GraphAuthHttpRequestMessageExtensions.GetGraphScopesIfAnySet(request);
        var host = uri is { IsAbsoluteUri: true } ? uri.IdnHost : string.Empty;
        var allowed = host.Length != 0 && _hosts.IsAllowed(uri!, host, requestScopes);
        string? known = null;

        // NonValidated first: a caller's header that .NET cannot parse reads as null through the typed property, and
        // must still be left alone.
        var headers = request.Headers;
        if (headers.NonValidated.Count != 0 && headers.NonValidated.Contains("Authorization"))
        {
            if (request.Headers.Authorization is not GraphBearerHeader ours)
            {
                return NotOurs(request, uri, host, cancellationToken);
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

            // The same message again (a replay or an outer retry): its identity is known.
            known = ours.Partition;
        }

        if (!allowed)
        {
            Log.TokenNotAttached(_logger, request.Method.Method, uri?.IsAbsoluteUri == true ? uri.Scheme : "relative", host);
            return base.SendAsync(request, cancellationToken);
        }

        // 2. The identity.
        var scopes = requestScopes is null ? _scopes : GraphScopeSet.From(requestScopes);
        var tenant = GraphAuthHttpRequestMessageExtensions.GetGraphTenantIfAnySet(request);
        TokenPartition? tenantPartition = null;
        if (tenant is null && _tenantResolver is not null && !TryResolveTenant(request, scopes, out tenant, out tenantPartition, out var refused))
        {
            return Task.FromException<HttpResponseMessage>(refused);
        }

        return Identify(request, host, scopes, tenant, known, cancellationToken, tenantPartition);
    }

    /// <summary>Step 2: the <see cref="TokenPartition"/> the token is for, then step 3. The partition is the one the
    /// message's own header or send directive names when it is of the request's tenant; else the tenant's; else the
    /// on-behalf-of caller's or the partitioned source's; else the source's own. Synchronous unless the source has to
    /// read something (the assertion callback, a partition) asynchronously.</summary>
    private Task<HttpResponseMessage> Identify(
        HttpRequestMessage request, string host, GraphScopeSet scopes, string? tenant, string? known, CancellationToken cancellationToken,
        TokenPartition? tenantPartition = null)
    {
        var directive = GraphSendDirective.For(request, _chain);
        known ??= directive?.Partition;
        if (known is not null && !GraphTokenCache.IsPartitionOfTenant(known, tenant))
        {
            known = null; // The message's tenant changed since: that partition is not this request's.
        }

        if (known is null && tenant is not null && _onBehalfOf is not null)
        {
            // On-behalf-of: the tenant is the user's own, which only the user's token can confirm.
            return CheckCallerTenantThenSendAsync(request, host, scopes, tenant, directive, cancellationToken);
        }

        TokenPartition identity;
        if (known is not null)
        {
            identity = _cache.PartitionFor(known);
        }
        else if (_partitioned is { } partitioned)
        {
            // The source says whose token it is: on-behalf-of finds the caller's partition through the assertion
            // instance (usually synchronously: the assertion is hashed once per instance); other partitioned sources
            // give a key.
            if (_onBehalfOf is not null)
            {
                var finding = _onBehalfOf.GetPartitionAsync(cancellationToken);
                if (!finding.IsCompletedSuccessfully)
                {
                    return IdentityThenSendAsync(finding, request, host, scopes, directive, cancellationToken);
                }

                identity = finding.Result;
            }
            else
            {
                var key = partitioned.GetCachePartitionAsync(cancellationToken);
                if (!key.IsCompletedSuccessfully)
                {
                    return PartitionKeyThenSendAsync(key, request, host, scopes, tenant, directive, cancellationToken);
                }

                identity = _cache.PartitionFor(tenant is null ? key.Result : GraphTokenCache.TenantPartitionKey(key.Result, tenant));
            }
        }
        else
        {
            identity = tenant is null ? _cache.OwnPartition : tenantPartition ?? _cache.TenantPartition(tenant);
        }

        return directive is null
            ? Attach(request, host, identity, scopes, cancellationToken)
            : AcquireThenSendAsync(request, host, identity, scopes, directive, cancellationToken);
    }

    /// <summary>Step 3: look up and attach. The shortcut first (<see cref="TokenPartition.Last"/>), then the cache's
    /// fresh token for the identity, then the slow path (the cache acquires, single flight).</summary>
    private Task<HttpResponseMessage> Attach(
        HttpRequestMessage request, string host, TokenPartition identity, GraphScopeSet scopes, CancellationToken cancellationToken)
    {
        var last = identity.Last;
        if (last is not null && ReferenceEquals(last.Handler, this) && ReferenceEquals(last.Scopes, scopes)
            && string.Equals(last.Host, host, StringComparison.Ordinal) && _cache.StillServes(last.Entry, last.Fresh, last.RefreshAt, scopes.Key))
        {
            return SendWith(request, last.Header, scopes, cancellationToken);
        }

        if (_cache.TryGetFresh(identity, scopes, out var entry) is { } fresh)
        {
            return SendWith(request, Remember(identity, host, scopes, entry!, fresh, last), scopes, cancellationToken);
        }

        var pending = _cache.GetTokenAsync(identity, scopes, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? SendWith(request, Acquired(identity, host, scopes, pending.Result), scopes, cancellationToken)
            : AttachWhenReadyAsync(pending, request, host, identity, scopes, cancellationToken);
    }

    /// <summary>The header for a snapshot found in the cache, remembered as what was last attached for the identity.</summary>
    private GraphBearerHeader Remember(TokenPartition identity, string host, GraphScopeSet scopes, TokenCacheEntry entry, FreshToken fresh, LastAttached? last)
    {
        var header = HeaderFor(fresh.Token.Value, host, identity.Key, scopes, last?.Header);
        identity.Last = new LastAttached(this, scopes, host, entry, fresh, fresh.RefreshAt, header);
        return header;
    }

    /// <summary>The header for a token just acquired: remembered like a hit when the cache now serves it (the next
    /// request of the identity takes the shortcut), else a header of its own.</summary>
    private GraphBearerHeader Acquired(TokenPartition identity, string host, GraphScopeSet scopes, GraphAccessToken token)
    {
        var last = identity.Last;
        return _cache.TryGetFresh(identity, scopes, out var entry, countHit: false) is { } fresh && ReferenceEquals(fresh.Token.Value, token.Value)
            ? Remember(identity, host, scopes, entry!, fresh, last)
            : HeaderFor(token.Value, host, identity.Key, scopes, last?.Header);
    }

    /// <summary>Step 4: sends <paramref name="request"/> with <paramref name="header"/>, unless its token failed this very
    /// call's claims moments ago (<see cref="GraphAuthChain.TakeUnmetClaims"/>); records the call when recording is on.</summary>
    private Task<HttpResponseMessage> SendWith(HttpRequestMessage request, GraphBearerHeader header, GraphScopeSet scopes, CancellationToken cancellationToken)
    {
        if (_chain.TakeUnmetClaims(request, header.Token) is { } unmet)
        {
            return Task.FromException<HttpResponseMessage>(UnmetClaimsFailure(request, unmet, scopes.Scopes));
        }

        return Send(request, header, cancellationToken);
    }

    /// <summary>Attaches <paramref name="header"/> and sends; with recording on, the recorder counts the call. The one
    /// place the chain's token goes on the wire, for the fast and the slow path alike.</summary>
    private Task<HttpResponseMessage> Send(HttpRequestMessage request, GraphBearerHeader header, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = header;
        var sending = base.SendAsync(request, cancellationToken);
        return _recorder is null ? sending : _recorder.Observe(request, header.Token, sending);
    }

    /// <summary>Step 1 for a header that is not the chain's own object: a copy of one of the cache's tokens (stripped or
    /// adopted) or the caller's own (left alone, recorded when recording is on).</summary>
    private Task<HttpResponseMessage> NotOurs(HttpRequestMessage request, Uri? uri, string host, CancellationToken cancellationToken)
    {
        if (CopyOfOurs(request.Headers) is not { } copied)
        {
            Log.CallerAuthorizationKept(_logger, request.Method.Method, host);
            var sending = base.SendAsync(request, cancellationToken);
            return _recorder is not null && host.Length != 0 && _hosts.IsAllowed(uri!, host, null) && GraphPermissionRecorder.CallerBearer(request) is { } token
                ? _recorder.Observe(request, token, sending)
                : sending;
        }

        // A copy of a token this cache handed out (a handler outside the chain copied the header as text into this
        // message): never to a host the policy does not allow for that token; to an allowed host, the chain's own,
        // attached afresh for the copy's identity and scopes (so a 401 refreshes and replays).
        request.Headers.Authorization = null;
        if (host.Length == 0 || !_hosts.IsAllowed(uri!, host, copied.Scopes.Scopes))
        {
            Log.CopiedTokenStripped(_logger, request.Method.Method, host.Length == 0 ? "relative" : host);
            return base.SendAsync(request, cancellationToken);
        }

        Log.CopiedTokenAdopted(_logger, request.Method.Method, host);
        var tenant = GraphAuthHttpRequestMessageExtensions.GetGraphTenantIfAnySet(request) ?? copied.Tenant;
        return Identify(request, host, copied.Scopes, tenant, copied.Key.Partition, cancellationToken);
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

    private static GraphAuthException UnmetClaimsFailure(HttpRequestMessage request, string claims, IReadOnlyList<string> scopes) =>
        GraphAuthException.Create(new GraphAuthFailureDetails
        {
            Cause = GraphAuthFailureCause.UnsatisfiedClaimsChallenge,
            Message = $"Microsoft Graph demanded claims that a silently acquired token did not meet moments ago; the client's own re-send of {request.Method.Method} {GraphPath.Redact(request.RequestUri)} was not sent to Graph again.",
            StatusCode = System.Net.HttpStatusCode.Unauthorized,
            Claims = claims,
            Scopes = scopes,
        });

    /// <summary>One header value per token, shared by every request that carries it (the value is immutable): the one
    /// the identity was last given when it still fits, else a new one.</summary>
    private GraphBearerHeader HeaderFor(string token, string host, string? partition, GraphScopeSet scopes, GraphBearerHeader? reusable)
    {
        return reusable is not null && ReferenceEquals(reusable.Chain, _chain) && ReferenceEquals(reusable.Token, token)
            && string.Equals(reusable.Host, host, StringComparison.Ordinal) && string.Equals(reusable.Partition, partition, StringComparison.Ordinal)
            && string.Equals(reusable.ScopesKey, scopes.Key, StringComparison.Ordinal)
            ? reusable
            : new GraphBearerHeader(_chain, token, host, partition, scopes.Scopes, scopes.Key);
    }

    private async Task<HttpResponseMessage> AttachWhenReadyAsync(
        ValueTask<GraphAccessToken> pending, HttpRequestMessage request, string host, TokenPartition identity, GraphScopeSet scopes,
        CancellationToken cancellationToken)
    {
        var token = await pending.ConfigureAwait(false);
        return await SendWith(request, Acquired(identity, host, scopes, token), scopes, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> IdentityThenSendAsync(
        ValueTask<TokenPartition> finding, HttpRequestMessage request, string host, GraphScopeSet scopes, GraphSendDirective? directive,
        CancellationToken cancellationToken)
    {
        var identity = await finding.ConfigureAwait(false);
        return await (directive is null
            ? Attach(request, host, identity, scopes, cancellationToken)
            : AcquireThenSendAsync(request, host, identity, scopes, directive, cancellationToken)).ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> PartitionKeyThenSendAsync(
        ValueTask<string> finding, HttpRequestMessage request, string host, GraphScopeSet scopes, string? tenant,
        GraphSendDirective? directive, CancellationToken cancellationToken) =>
        IdentityThenSendAsync(KeyToPartitionAsync(finding, tenant), request, host, scopes, directive, cancellationToken);

    private async ValueTask<TokenPartition> KeyToPartitionAsync(ValueTask<string> finding, string? tenant)
    {
        var key = await finding.ConfigureAwait(false);
        return _cache.PartitionFor(tenant is null ? key : GraphTokenCache.TenantPartitionKey(key, tenant));
    }

    private async Task<HttpResponseMessage> CheckCallerTenantThenSendAsync(
        HttpRequestMessage request, string host, GraphScopeSet scopes, string tenant, GraphSendDirective? directive, CancellationToken cancellationToken)
    {
        if (await _onBehalfOf!.CheckTenantAsync(tenant, scopes.Scopes, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            throw refused;
        }

        // The tenant is the user's own: the caller's partition already is that tenant's.
        return await Identify(request, host, scopes, null, directive?.Partition, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Runs <see cref="GraphAuthOptions.TenantResolver"/> and checks what it gives (a tenant already known in
    /// canonical form is found with its partition, without parsing it again). A throw or a value that is
    /// no tenant fails the request before any token work, naming the resolver; the value is shown escaped and bounded.</summary>
    private bool TryResolveTenant(
        HttpRequestMessage request, GraphScopeSet scopes, out string? tenant, out TokenPartition? partition,
        [NotNullWhen(false)] out GraphAuthException? refused)
    {
        tenant = null;
        partition = null;
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

        if (_cache.TryGetTenantPartition(resolved, out partition))
        {
            // A tenant seen before in canonical form (only those are keys): checked then, and its partition is here.
            tenant = resolved;
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

    /// <summary>The slow path of a <see cref="GraphSendDirective"/> (a replay or re-send): a token for the claims, or other
    /// than the rejected one; once the claims are met, the rejected token is forgotten.</summary>
    private async Task<HttpResponseMessage> AcquireThenSendAsync(
        HttpRequestMessage request, string host, TokenPartition identity, GraphScopeSet scopes, GraphSendDirective directive,
        CancellationToken cancellationToken)
    {
        var token = await _cache.GetTokenAsync(identity.Key, scopes, directive.Claims, directive.RejectedToken, cancellationToken).ConfigureAwait(false);
        var header = HeaderFor(token.Value, host, identity.Key, scopes, identity.Last?.Header);
        var response = await Send(request, header, cancellationToken).ConfigureAwait(false);
        if (directive is { Claims: not null, RejectedToken: { } rejected } && response.IsSuccessStatusCode)
        {
            // The claims were met: later requests without claims must not reuse the token Graph revoked.
            _cache.Invalidate(identity.Key, scopes.Scopes, rejected);
        }

        return response;
    }
}
