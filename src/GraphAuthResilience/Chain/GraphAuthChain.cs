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
    private int _pendingDirectives;

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

    internal void DirectiveAdded() => Interlocked.Increment(ref _pendingDirectives);

    internal void DirectiveRemoved() => Interlocked.Decrement(ref _pendingDirectives);
}
