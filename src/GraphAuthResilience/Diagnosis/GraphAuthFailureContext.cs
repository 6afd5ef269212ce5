using System.Net;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Diagnosis;

/// <summary>Everything the classifier looks at for one failed response.</summary>
internal sealed record GraphAuthFailureContext(
    HttpStatusCode StatusCode,
    HttpMethod Method,
    Uri? RequestUri,
    IReadOnlyList<AuthenticationChallenge> Challenges,
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
}
