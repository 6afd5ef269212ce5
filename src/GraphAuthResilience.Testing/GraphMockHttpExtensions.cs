using System.Net;
using RichardSzalay.MockHttp;

namespace GraphAuthResilience.Testing;

/// <summary>
/// RichardSzalay.MockHttp responses that answer like Microsoft Graph does when auth goes wrong, for example
/// <c>mockHttp.When("https://graph.microsoft.com/v1.0/users").RespondWithGraphAuthFailure(GraphAuthFailureCause.InsufficientPermissions)</c>.
/// </summary>
public static class GraphMockHttpExtensions
{
    /// <summary>Answers every matching request as Graph does for <paramref name="cause"/> (status, JSON error body with
    /// <c>innerError</c> ids, <c>WWW-Authenticate</c>). Causes that depend on the token (wrong audience, personal
    /// account, expired, app-only on <c>/me</c>) also need the scenario's token: use
    /// <see cref="FakeGraphTokenSource.For"/> or <see cref="GraphAuthFailureScenario.CreateTokenSource"/>.</summary>
    /// <param name="request">The mocked request.</param>
    /// <param name="cause">A cause Graph answers with (not a token-acquisition cause, not <see cref="GraphAuthFailureCause.Unknown"/>).</param>
    /// <returns>The same mocked request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cause"/> has no scenario.</exception>
    /// <exception cref="ArgumentException"><paramref name="cause"/> comes from the token source, not from Graph.</exception>
    public static MockedRequest RespondWithGraphAuthFailure(this MockedRequest request, GraphAuthFailureCause cause)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.RespondWithGraphAuthFailure(GraphAuthFailureScenario.For(cause));
    }

    /// <summary>Answers every matching request with the Graph response of <paramref name="scenario"/>.</summary>
    /// <param name="request">The mocked request.</param>
    /// <param name="scenario">A scenario Graph answers (<see cref="GraphAuthFailureScenario.FailsAtTokenSource"/> is false).</param>
    /// <returns>The same mocked request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The scenario's failure comes from the token source, not from Graph.</exception>
    public static MockedRequest RespondWithGraphAuthFailure(this MockedRequest request, GraphAuthFailureScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.FailsAtTokenSource)
        {
            throw new ArgumentException(
                $"{scenario.Cause} comes from the token source, not from Graph: use FakeGraphTokenSource.For(GraphAuthFailureCause.{scenario.Cause}).",
                nameof(scenario));
        }

        return request.Respond(scenario.CreateResponse);
    }

    /// <summary>Answers the first matching request with a CAE claims challenge (401, <c>error="insufficient_claims"</c>)
    /// and every later one with 200 and <paramref name="successJson"/>: the chain re-acquires with the claims and replays
    /// once, so the caller sees the 200 after two sends.</summary>
    /// <param name="request">The mocked request.</param>
    /// <param name="successJson">The body of the 200 answers.</param>
    /// <param name="quotedAuthorizationUri"><see langword="false"/> sends the unquoted form .NET's typed headers drop
    /// (see <see cref="GraphResponses.UnquotedClaimsChallenge"/>).</param>
    /// <returns>The same mocked request.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static MockedRequest RespondWithClaimsChallengeOnce(this MockedRequest request, string successJson = "{}", bool quotedAuthorizationUri = true)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(successJson);
        var sends = 0;
        return request.Respond(message => Interlocked.Increment(ref sends) == 1
            ? GraphResponses.ClaimsChallenge(quotedAuthorizationUri, message)
            : GraphResponses.Ok(successJson, message));
    }

    /// <summary>Answers every matching request with a Graph error of your own making.</summary>
    /// <param name="request">The mocked request.</param>
    /// <param name="statusCode">The status.</param>
    /// <param name="code">Graph's <c>error.code</c>.</param>
    /// <param name="message">Graph's <c>error.message</c>.</param>
    /// <param name="wwwAuthenticate">A raw <c>WWW-Authenticate</c> value, or <see langword="null"/>.</param>
    /// <returns>The same mocked request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="code"/> or <paramref name="message"/> is null or empty.</exception>
    public static MockedRequest RespondWithGraphError(
        this MockedRequest request, HttpStatusCode statusCode, string code, string message, string? wwwAuthenticate = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(code);
        ArgumentException.ThrowIfNullOrEmpty(message);
        return request.Respond(m => GraphResponses.Error(statusCode, code, message, wwwAuthenticate, request: m));
    }
}
