namespace GraphAuthResilience.Chain;

/// <summary>
/// The challenge handler's record on a message, created on the first 400/401/403 answer it sees for it (never on a
/// 2xx): whether the message's one replay is used, and the decision about the latest answer.
/// Written only by the challenge handler; read by the failure handler.
/// </summary>
/// <remarks>Lifetime: <see cref="ReplayUsed"/> survives outer retries of the same message (one replay per message,
/// however often an outer handler re-sends it); <see cref="Latest"/> is replaced at every attempt that gets an auth answer.</remarks>
internal sealed class GraphChallengeState
{
    private static readonly HttpRequestOptionsKey<GraphChallengeState> Key = new(GraphRequestOptionKeys.ChallengeState);

    /// <summary>Gets or sets a value indicating whether the message's one replay has been used.</summary>
    public bool ReplayUsed { get; set; }

    /// <summary>Gets or sets the decision about the latest auth answer.</summary>
    public GraphChallengeDecision? Latest { get; set; }

    /// <summary>Gets the state of <paramref name="request"/>, creating it (only the challenge handler does).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The state.</returns>
    public static GraphChallengeState GetOrCreate(HttpRequestMessage request)
    {
        if (!request.Options.TryGetValue(Key, out var state))
        {
            state = new GraphChallengeState();
            request.Options.Set(Key, state);
        }

        return state;
    }

    /// <summary>Gets the state of <paramref name="request"/>, if the challenge handler made one.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The state, or <see langword="null"/>.</returns>
    public static GraphChallengeState? Get(HttpRequestMessage request) =>
        request.Options.TryGetValue(Key, out var state) ? state : null;

    /// <summary>Gets the decision about <paramref name="response"/>, if the latest one is about it.</summary>
    /// <param name="response">The answer being diagnosed.</param>
    /// <returns>The decision, or <see langword="null"/>.</returns>
    public GraphChallengeDecision? DecisionAbout(HttpResponseMessage response) =>
        Latest is { } latest && ReferenceEquals(latest.Response, response) ? latest : null;
}
