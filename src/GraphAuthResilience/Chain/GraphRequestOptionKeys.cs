namespace GraphAuthResilience.Chain;

/// <summary>
/// Every <see cref="HttpRequestMessage.Options"/> key this library uses, listed once. Two are the caller's inputs
/// (set through <see cref="GraphAuthHttpRequestMessageExtensions"/>); the others are the chain's per-request state, each
/// with one writer (see docs/architecture.md), which a handler copying options into a new message leaves behind.
/// </summary>
internal static class GraphRequestOptionKeys
{
    /// <summary>The caller's scopes for this request (<c>SetGraphScopes</c>): read by the token handler.</summary>
    public const string Scopes = "GraphAuthResilience.Scopes";

    /// <summary>The caller's tenant for this request (<c>SetGraphTenant</c>): read by the token handler.</summary>
    public const string Tenant = "GraphAuthResilience.Tenant";

    /// <summary><see cref="GraphChallengeState"/>: written by the challenge handler; read by the failure handler.</summary>
    public const string ChallengeState = "GraphAuthResilience.ChallengeState";

    /// <summary><see cref="GraphSendDirective"/>: written by the handler that sends the message again (one per message);
    /// read by the token and challenge handlers.</summary>
    public const string SendDirective = "GraphAuthResilience.SendDirective";

    /// <summary><see cref="GraphAuthFailureRecord"/>: written by the failure handler; read by <c>GetGraphAuthFailure</c>.</summary>
    public const string Failure = "GraphAuthResilience.Failure";

    /// <summary><see cref="GraphBatchOutcome"/>: written by the <c>$batch</c> handler; read by <c>GetGraphBatchAuthFailures</c>.</summary>
    public const string BatchOutcome = "GraphAuthResilience.Batch";

    /// <summary>Gets a value indicating whether <paramref name="key"/> holds the chain's per-request state (not a
    /// caller's input), which a handler copying options into a new message must leave behind.</summary>
    /// <param name="key">The option's key.</param>
    /// <returns><see langword="true"/> for the challenge state, a send directive, a failure record or a batch outcome.</returns>
    public static bool IsChainState(string key) => key is ChallengeState or SendDirective or Failure or BatchOutcome;
}
