namespace GraphAuthResilience;

/// <summary>
/// The token that was sent, or the attempt to get one, is unusable: a new or different token is needed (re-authenticate, ask for Graph scopes, fix the credential).
/// </summary>
/// <remarks>Raised for <see cref="GraphAuthFailureCause.MissingToken"/>, <see cref="GraphAuthFailureCause.InvalidToken"/>, <see cref="GraphAuthFailureCause.ExpiredToken"/>, <see cref="GraphAuthFailureCause.WrongAudience"/> and <see cref="GraphAuthFailureCause.TokenAcquisitionFailed"/>.</remarks>
public sealed class GraphAuthTokenException : GraphAuthException
{
    internal GraphAuthTokenException(GraphAuthException failure)
        : base(failure)
    {
    }
}
