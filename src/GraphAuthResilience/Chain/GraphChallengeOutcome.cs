namespace GraphAuthResilience.Chain;

/// <summary>What the challenge handler did with a 400, 401 or 403 answer to a request of its chain.</summary>
internal enum GraphChallengeOutcome
{
    /// <summary>Nothing a new token can fix: a 400, a 403 without claims, or a token the caller set.</summary>
    NotForTheChallengeHandler,

    /// <summary>The answer is the one to the request's one replay (with a new token, and the claims if any).</summary>
    Replayed,

    /// <summary>A new token could have helped, but the message was already replayed once (on this or an earlier send).</summary>
    RefusedAlreadyReplayed,

    /// <summary>The token sent is for another audience: another token from the same source would be too.</summary>
    RefusedWrongAudience,

    /// <summary>The token sent is a personal account's: another token from the same source would be too.</summary>
    RefusedPersonalAccount,

    /// <summary>Graph's words say the API refuses this kind of token (app-only or delegated): another token of the
    /// same kind from the same source would be refused too.</summary>
    RefusedTokenKind,

    /// <summary>A new token could have helped, but the body could not be sent again (it was never buffered).</summary>
    RefusedBodyNotReplayable,
}
