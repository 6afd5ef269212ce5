namespace GraphAuthResilience;

/// <summary>
/// A person must sign in interactively to go on: to consent, to meet multi-factor authentication or conditional access (pass <see cref="GraphAuthException.Claims"/> and <see cref="GraphAuthException.Scopes"/> to the sign-in), or with a work or school account instead of a personal one.
/// </summary>
/// <remarks>Raised for <see cref="GraphAuthFailureCause.ConsentRequired"/>, <see cref="GraphAuthFailureCause.InteractionRequired"/>, <see cref="GraphAuthFailureCause.UnsatisfiedClaimsChallenge"/> and <see cref="GraphAuthFailureCause.PersonalAccountNotSupported"/>.</remarks>
public sealed class GraphAuthSignInRequiredException : GraphAuthException
{
    internal GraphAuthSignInRequiredException(GraphAuthException failure)
        : base(failure)
    {
    }
}
