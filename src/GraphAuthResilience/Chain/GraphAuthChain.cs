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
/// <para>Concurrency: the unmet-claims records are an immutable array swapped with a compare-and-swap by every writer
/// (recording, taking, expiring); a writer that loses the race reads the new array and tries again, so no update is
/// lost. Their deadlines are on the <see cref="TimeProvider"/> the chain was given.</para>
/// </remarks>
internal sealed class GraphAuthChain(TimeProvider? time = null)
{
    /// <summary>How long tokens that failed a claims challenge even after the one replay are refused.</summary>
    internal const int UnmetClaimsMilliseconds = 10_000;
    private const int MaxUnmetClaims = 8;
    private const string KiotaObservabilityOptionsKey = "Microsoft.Kiota.Http.HttpClientLibrary.ObservabilityOptions";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private int _pendingDirectives;
    private UnmetClaims[]? _unmet;

    /// <summary>Gets a value indicating whether any request of this chain carries a <see cref="GraphSendDirective"/> now.</summary>
    public bool HasPendingDirectives => Volatile.Read(ref _pendingDirectives) != 0;

    /// <summary>Gets a value indicating whether <paramref name="request"/> is this chain's to handle: it carries no
    /// token attached by another chain.</summary>
    /// <param name="request">The request.</param>
    /// <returns><see langword="false"/> when another chain's token handler attached its header.</returns>
    public bool Owns(HttpRequestMessage request) => GraphBearerHeader.Of(request) is not { } header || ReferenceEquals(header.Chain, this);

    /// <summary>Gets a value indicating whether an <see cref="HttpRequestMessage.Options"/> key holds per-request state of
    /// the chain, which a handler copying options into a new message must leave behind.</summary>
    /// <param name="key">The option's key.</param>
    /// <returns><see langword="true"/> for the challenge state, a send directive or a failure record.</returns>
    public static bool IsPerRequestStateKey(string key) =>
        key is GraphChallengeState.KeyName or GraphSendDirective.KeyName or GraphAuthFailureRecord.KeyName;

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

        var now = Now();
        var expires = now + UnmetClaimsMilliseconds;
        UnmetClaims[] added = [.. tokens.OfType<string>().Select(t => new UnmetClaims(t, request.Method, uri, claimsJson, expires))];
        while (true)
        {
            var current = Volatile.Read(ref _unmet);
            UnmetClaims[] next = [.. (current ?? []).Where(u => u.Expires > now).TakeLast(Math.Max(0, MaxUnmetClaims - added.Length)), .. added];
            if (ReferenceEquals(Interlocked.CompareExchange(ref _unmet, next, current), current))
            {
                return;
            }
        }
    }

    /// <summary>Takes the claims that <paramref name="token"/> failed to meet moments ago on this same call (same method and
    /// URI, a Kiota-built message), if it did: read by the token handler before it sends a token. Each record answers
    /// once. On the hot path it is one volatile read of <see langword="null"/>.</summary>
    /// <param name="request">The request about to be sent.</param>
    /// <param name="token">The token about to be sent.</param>
    /// <returns>The claims JSON, or <see langword="null"/>.</returns>
    public string? TakeUnmetClaims(HttpRequestMessage request, string token)
    {
        if (Volatile.Read(ref _unmet) is null)
        {
            return null;
        }

        return TakeUnmetClaimsSlow(request, token);
    }

    private string? TakeUnmetClaimsSlow(HttpRequestMessage request, string token)
    {
        var now = Now();
        while (Volatile.Read(ref _unmet) is { } unmet)
        {
            UnmetClaims? match = null;
            foreach (var entry in unmet)
            {
                if (entry.Expires > now && string.Equals(entry.Token, token, StringComparison.Ordinal) && entry.Method == request.Method
                    && entry.Uri == request.RequestUri && IsFromKiotaAdapter(request))
                {
                    match = entry;
                    break;
                }
            }

            // Each record answers once; expired ones go, so the hot path reads null again once all have expired.
            var allExpired = Array.TrueForAll(unmet, u => u.Expires <= now);
            if (match is null && !allExpired)
            {
                return null;
            }

            UnmetClaims[] rest = [.. unmet.Where(u => u.Expires > now && !ReferenceEquals(u, match))];
            if (ReferenceEquals(Interlocked.CompareExchange(ref _unmet, rest.Length == 0 ? null : rest, unmet), unmet))
            {
                return match?.ClaimsJson;
            }
        }

        return null;
    }

    /// <summary>Milliseconds on the chain's clock (no overflow: the timestamp is divided, never multiplied).</summary>
    private long Now() => _time.GetTimestamp() / Math.Max(1, _time.TimestampFrequency / 1000);

    /// <summary>Gets a value indicating whether Kiota's request adapter built the message (it puts its
    /// <c>ObservabilityOptions</c> in every message's options).</summary>
    private static bool IsFromKiotaAdapter(HttpRequestMessage request) =>
        ((IDictionary<string, object?>)request.Options).ContainsKey(KiotaObservabilityOptionsKey);

    internal void DirectiveAdded() => Interlocked.Increment(ref _pendingDirectives);

    internal void DirectiveRemoved() => Interlocked.Decrement(ref _pendingDirectives);

    private sealed record UnmetClaims(string Token, HttpMethod Method, Uri Uri, string ClaimsJson, long Expires);
}
