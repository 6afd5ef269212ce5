namespace GraphAuthResilience.Chain;

/// <summary>
/// One set of the chain's handlers (one <c>AddGraphAuthHandlers</c> chain on one client), shared by its failure,
/// challenge and token handlers (and any handler of this library that joins them, such as the <c>$batch</c> handler).
/// </summary>
/// <remarks>
/// <para>It is the identity a request's <see cref="GraphBearerHeader"/> carries: a handler acts on a request that carries no
/// header of another chain, so should two chains end up on one client, the outer one acts (its token handler
/// attaches first) and the inner one passes the request through.</para>
/// <para>It also counts the <see cref="GraphSendDirective"/>s in flight, so the token handler looks for one (in
/// <see cref="HttpRequestMessage.Options"/>, which allocates on first use) only while some request of this chain has one:
/// never on the hot path.</para>
/// </remarks>
internal sealed class GraphAuthChain
{
    /// <summary>How long tokens that failed a claims challenge even after the one replay are refused.</summary>
    internal const int UnmetClaimsMilliseconds = 10_000;
    private const int MaxUnmetClaims = 8;
    private const string KiotaObservabilityOptionsKey = "Microsoft.Kiota.Http.HttpClientLibrary.ObservabilityOptions";

    private readonly TimeProvider _time;
    private int _pendingDirectives;

    // Immutable snapshots, swapped with a compare-and-swap by both of its writers (RecordUnmetClaims, TakeUnmetClaims):
    // an update is retried on a newer snapshot, never lost.
    private UnmetClaims[]? _unmet;

    /// <summary>Initializes a new instance of the <see cref="GraphAuthChain"/> class.</summary>
    /// <param name="timeProvider">The clock for how long unmet claims are remembered; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public GraphAuthChain(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets a value indicating whether any request of this chain carries a <see cref="GraphSendDirective"/> now.</summary>
    public bool HasPendingDirectives => Volatile.Read(ref _pendingDirectives) != 0;

    /// <summary>Gets a value indicating whether <paramref name="request"/> is this chain's to handle: it carries no
    /// token attached by another chain.</summary>
    /// <param name="request">The request.</param>
    /// <returns><see langword="false"/> when another chain's token handler attached its header.</returns>
    public bool Owns(HttpRequestMessage request) => GraphBearerHeader.Of(request) is not { } header || ReferenceEquals(header.Chain, this);

    /// <summary>
    /// Remembers, for a short while, that Graph refused <paramref name="tokens"/> on <paramref name="request"/>'s call
    /// with a claims challenge (<paramref name="claimsJson"/>) that a token acquired with those claims did not meet
    /// either. Written by the challenge handler after its one replay, for requests built by Kiota's request adapter
    /// (<c>GraphServiceClient</c>): that adapter meets a 401 carrying claims by sending a <em>new</em> message for the
    /// same call, which would otherwise reach Graph a third (and, replayed, a fourth) time.
    /// </summary>
    /// <param name="request">The request refused.</param>
    /// <param name="claimsJson">The claims Graph demanded.</param>
    /// <param name="tokens">The tokens Graph refused (the first one, and the one acquired with the claims).</param>
    public void RecordUnmetClaims(HttpRequestMessage request, string claimsJson, params string?[] tokens)
    {
        if (!IsFromKiotaAdapter(request) || request.RequestUri is not { } uri)
        {
            return;
        }

        var added = tokens.OfType<string>().ToArray();
        while (true)
        {
            var current = Volatile.Read(ref _unmet);
            var now = Now();
            var kept = (current ?? []).Where(u => u.Expires > now).TakeLast(MaxUnmetClaims - added.Length);
            UnmetClaims[] next = [.. kept, .. added.Select(t => new UnmetClaims(t, request.Method, uri, claimsJson, now + UnmetClaimsMilliseconds))];
            if (ReferenceEquals(Interlocked.CompareExchange(ref _unmet, next, current), current))
            {
                return;
            }
        }
    }

    /// <summary>Takes the claims that <paramref name="token"/> failed to meet moments ago on this same call (same method and
    /// URI, a Kiota-built message), if it did: read by the token handler before it sends a token. Each record answers
    /// once, even to concurrent takers. On the hot path it is one volatile read of <see langword="null"/>.</summary>
    /// <param name="request">The request about to be sent.</param>
    /// <param name="token">The token about to be sent.</param>
    /// <returns>The claims JSON, or <see langword="null"/>.</returns>
    public string? TakeUnmetClaims(HttpRequestMessage request, string token)
    {
        while (Volatile.Read(ref _unmet) is { } unmet)
        {
            var now = Now();
            var entry = Array.Find(unmet, u => u.Expires > now && string.Equals(u.Token, token, StringComparison.Ordinal)
                && u.Method == request.Method && u.Uri == request.RequestUri);
            if (entry is null || !IsFromKiotaAdapter(request))
            {
                if (Array.TrueForAll(unmet, u => u.Expires <= now))
                {
                    // All expired: the hot path reads null again (a writer that got in first keeps its snapshot).
                    Interlocked.CompareExchange(ref _unmet, null, unmet);
                }

                return null;
            }

            UnmetClaims[]? next = unmet.Length == 1 ? null : [.. unmet.Where(u => !ReferenceEquals(u, entry))];
            if (ReferenceEquals(Interlocked.CompareExchange(ref _unmet, next, unmet), unmet))
            {
                return entry.ClaimsJson; // each record answers once: only the taker whose swap won returns it
            }
        }

        return null;
    }

    /// <summary>Gets a value indicating whether Kiota's request adapter built the message (it puts its
    /// <c>ObservabilityOptions</c> in every message's options).</summary>
    private static bool IsFromKiotaAdapter(HttpRequestMessage request) =>
        ((IDictionary<string, object?>)request.Options).ContainsKey(KiotaObservabilityOptionsKey);

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    internal void DirectiveAdded() => Interlocked.Increment(ref _pendingDirectives);

    internal void DirectiveRemoved() => Interlocked.Decrement(ref _pendingDirectives);

    private sealed record UnmetClaims(string Token, HttpMethod Method, Uri Uri, string ClaimsJson, long Expires);
}
