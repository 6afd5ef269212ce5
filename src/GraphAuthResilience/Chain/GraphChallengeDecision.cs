using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Chain;

/// <summary>
/// Per-request part 3, <b>what the challenge handler decided</b> about one 400/401/403 answer, with what it parsed to
/// decide (the challenges of <c>WWW-Authenticate</c>, the claims, the token that was sent), so the failure handler
/// parses none of it again. Written only by the challenge handler; read by the failure handler.
/// </summary>
/// <remarks>Lifetime: one attempt. It is tied to its <see cref="Response"/> by reference: a reader holding another
/// response (an outer retry's) ignores it. The failure handler diagnoses from <see cref="ClaimsJson"/>,
/// <see cref="SentToken"/>, <see cref="SentTokenInfo"/>, <see cref="Outcome"/> and <see cref="BodyReplayable"/> as they
/// are, and parses an answer itself only when no decision is about it (a 404, a message another path produced);
/// <c>GraphAuthFailureParseOnceTests</c> checks that the diagnosis holds these very instances.</remarks>
internal sealed class GraphChallengeDecision
{
    public GraphChallengeDecision(
        HttpResponseMessage response,
        GraphChallengeOutcome outcome,
        IReadOnlyList<AuthenticationChallenge> challenges,
        string? claimsJson,
        string? sentToken,
        GraphTokenInfo? sentTokenInfo,
        bool bodyReplayable)
    {
        Response = response;
        Outcome = outcome;
        Challenges = challenges;
        ClaimsJson = claimsJson;
        SentToken = sentToken;
        SentTokenInfo = sentTokenInfo;
        BodyReplayable = bodyReplayable;
    }

    /// <summary>Gets the answer this decision is about.</summary>
    public HttpResponseMessage Response { get; }

    /// <summary>Gets what the challenge handler did.</summary>
    public GraphChallengeOutcome Outcome { get; }

    /// <summary>Gets the challenges of the answer's <c>WWW-Authenticate</c> headers (no reader needs more than
    /// <see cref="ClaimsJson"/> today; kept so a new rule reads them here instead of parsing the headers again).</summary>
    public IReadOnlyList<AuthenticationChallenge> Challenges { get; }

    /// <summary>Gets the decoded claims (JSON) of the answer's claims challenge, if it had one.</summary>
    public string? ClaimsJson { get; }

    /// <summary>Gets the bearer token the request carried (ours or the caller's; never logged).</summary>
    public string? SentToken { get; }

    /// <summary>Gets what the JWT payload of <see cref="SentToken"/> says, when it could be read.</summary>
    public GraphTokenInfo? SentTokenInfo { get; }

    /// <summary>Gets a value indicating whether the request body can be read again (in memory, or buffered before the first send).</summary>
    public bool BodyReplayable { get; }

    /// <summary>Gets the reason a replay was refused, for logs, or <see langword="null"/>.</summary>
    public string? RefusedReason => Outcome switch
    {
        GraphChallengeOutcome.RefusedAlreadyReplayed => "already replayed once",
        GraphChallengeOutcome.RefusedWrongAudience => "wrong audience",
        GraphChallengeOutcome.RefusedPersonalAccount => "personal account",
        GraphChallengeOutcome.RefusedTokenKind => "token kind refused",
        GraphChallengeOutcome.RefusedBodyNotReplayable => "body not replayable",
        _ => null,
    };
}
