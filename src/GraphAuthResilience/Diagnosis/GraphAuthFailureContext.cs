using System.Net;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Diagnosis;

/// <summary>Everything the classifier looks at for one failed response, already parsed: the classifier parses
/// nothing of the answer's headers or of the token again.</summary>
/// <param name="StatusCode">The answer's status.</param>
/// <param name="Method">The request's method.</param>
/// <param name="RequestUri">The request's URI.</param>
/// <param name="ClaimsJson">The decoded claims (JSON) of the claims challenge in the answer's <c>WWW-Authenticate</c>
/// headers, or <see langword="null"/>: the challenge handler's decision carries them; for an answer it did not see,
/// <see cref="ClaimsOf"/>.</param>
/// <param name="Body">Graph's JSON error.</param>
/// <param name="TokenSent">Whether a non-empty bearer token was sent.</param>
/// <param name="Token">The JWT payload of the token sent, when it could be read.</param>
/// <param name="Now">The time of the diagnosis.</param>
internal sealed record GraphAuthFailureContext(
    HttpStatusCode StatusCode,
    HttpMethod Method,
    Uri? RequestUri,
    string? ClaimsJson,
    GraphErrorBody Body,
    bool TokenSent,
    GraphTokenInfo? Token,
    DateTimeOffset Now)
{
    public string? RequestIdHeader { get; init; }

    public string? ClientRequestIdHeader { get; init; }

    /// <summary>Gets a value indicating whether the challenge handler replayed the request (a fresh token did not help).</summary>
    public bool Replayed { get; init; }

    public bool BodyNotReplayable { get; init; }

    public string? ReplayRefusedReason { get; init; }

    /// <summary>Gets the top-level properties of the request's JSON body, when it was read (password resets).</summary>
    public IReadOnlySet<string>? RequestBodyProperties { get; init; }

    /// <summary>Decodes the claims of the claims challenge among <paramref name="challenges"/>, for an answer no
    /// handler parsed before (the challenge handler did not see it).</summary>
    /// <param name="challenges">The parsed challenges.</param>
    /// <returns>The claims JSON, or <see langword="null"/>.</returns>
    public static string? ClaimsOf(IReadOnlyList<AuthenticationChallenge> challenges) => ClaimsChallenge.Find(challenges)?.ClaimsJson;
}
