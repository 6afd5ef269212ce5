namespace GraphAuthResilience.Chain;

/// <summary>
/// Per-request part 2, <b>what the next send of this message needs</b>: claims from a challenge that the token must
/// meet, and the token Graph rejected (so the cache hands out another one). One writer per message, the handler that
/// sends it again: the challenge handler for its one replay of the caller's message, the <c>$batch</c> handler for the
/// new message it makes with the failed steps (which the challenge handler never replays, so never writes to);
/// <see cref="Apply"/> refuses a second directive on a message. Read by the token handler of the same
/// <see cref="GraphAuthChain"/> (and, for <see cref="IsReplay"/>, by the challenge handler).
/// </summary>
/// <remarks>
/// <para>How to use it from another handler of the chain (it must sit outside the token handler and hold the chain's
/// <see cref="GraphAuthChain"/>):</para>
/// <code>
/// // the challenge handler, replaying the same message:
/// using (GraphSendDirective.Apply(request, chain, claims: claimsJson, rejectedToken: sentHeader.Token))
/// {
///     response = await base.SendAsync(request, cancellationToken);
/// }
///
/// // the $batch handler, sending a new message with the failed steps (its one fix; not to be replayed again):
/// using var directive = GraphSendDirective.Apply(resend, chain, plan.Claims, sentHeader.Token, sentHeader.Partition, isReplay: true);
/// var second = await base.SendAsync(resend, cancellationToken);
/// var resentToken = GraphBearerHeader.Of(resend)?.Token; // what the token handler attached to the re-send
/// </code>
/// <para>Lifetime: one send. <see cref="Apply"/> stores it in <see cref="HttpRequestMessage.Options"/> (only ever on this
/// rare path) and disposing the returned scope removes it, so an outer retry of the message starts without it.
/// When claims were given and the send succeeds, the token handler drops the rejected token from the cache, so later
/// requests without claims do not get it again.</para>
/// </remarks>
internal sealed class GraphSendDirective
{
    private static readonly HttpRequestOptionsKey<GraphSendDirective> Key = new(GraphRequestOptionKeys.SendDirective);

    private GraphSendDirective(string? claims, string? rejectedToken, string? partition, bool isReplay)
    {
        Claims = claims;
        RejectedToken = rejectedToken;
        Partition = partition;
        IsReplay = isReplay;
    }

    /// <summary>Gets the claims (JSON) the token of the next send must meet, or <see langword="null"/>.</summary>
    public string? Claims { get; }

    /// <summary>Gets the token Graph rejected (never logged), or <see langword="null"/>.</summary>
    public string? RejectedToken { get; }

    /// <summary>Gets the token-cache partition of the message this send re-sends (a new message made from it, such as
    /// a <c>$batch</c> re-send), so it is not worked out again; <see langword="null"/> to work it out as usual.</summary>
    public string? Partition { get; }

    /// <summary>Gets a value indicating whether this send is already the one fix of a message made by a handler
    /// outside the challenge handler (a <c>$batch</c> re-send): the challenge handler must not replay it again.</summary>
    public bool IsReplay { get; }

    /// <summary>Asks the token handler of <paramref name="chain"/> to meet <paramref name="claims"/> and not to send
    /// <paramref name="rejectedToken"/> on the next send of <paramref name="request"/>.</summary>
    /// <param name="request">The message about to be sent.</param>
    /// <param name="chain">The chain whose token handler will attach the token.</param>
    /// <param name="claims">Claims JSON from a challenge, or <see langword="null"/>.</param>
    /// <param name="rejectedToken">The token Graph rejected, or <see langword="null"/>.</param>
    /// <param name="partition">The token-cache partition of the message re-sent, if <paramref name="request"/> is a new one made from it.</param>
    /// <param name="isReplay">Whether this send is itself the one fix, which the challenge handler must not replay.</param>
    /// <returns>A scope to dispose once the send returned.</returns>
    public static Scope Apply(HttpRequestMessage request, GraphAuthChain chain, string? claims, string? rejectedToken, string? partition = null, bool isReplay = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(chain);
        if (request.Options.TryGetValue(Key, out _))
        {
            // One writer per message: the handler sending it again. A second one would overwrite the first's claims.
            throw new InvalidOperationException("The message already carries a send directive: only the handler that sends a message again writes one, once per send.");
        }

        request.Options.Set(Key, new GraphSendDirective(claims, rejectedToken, partition, isReplay));
        chain.DirectiveAdded();
        return new Scope(request, chain);
    }

    /// <summary>Gets the directive for the next send of <paramref name="request"/>, without touching
    /// <see cref="HttpRequestMessage.Options"/> while no request of <paramref name="chain"/> has one.</summary>
    /// <param name="request">The message being sent.</param>
    /// <param name="chain">The chain of the token handler asking.</param>
    /// <returns>The directive, or <see langword="null"/>.</returns>
    public static GraphSendDirective? For(HttpRequestMessage request, GraphAuthChain chain) =>
        chain.HasPendingDirectives && request.Options.TryGetValue(Key, out var directive) ? directive : null;

    /// <summary>Removes the directive when the send it was for has returned.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly HttpRequestMessage _request;
        private readonly GraphAuthChain _chain;

        internal Scope(HttpRequestMessage request, GraphAuthChain chain)
        {
            _request = request;
            _chain = chain;
        }

        /// <summary>Removes the directive from the message.</summary>
        public void Dispose()
        {
            if (_request is not null && ((IDictionary<string, object?>)_request.Options).Remove(Key.Key))
            {
                _chain.DirectiveRemoved();
            }
        }
    }
}
