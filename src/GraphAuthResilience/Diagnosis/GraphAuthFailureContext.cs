using System.Net;
using GraphAuthResilience.Challenges;

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

    public bool Replayed { get; init; }

    public bool BodyNotReplayable { get; init; }

    public string? ReplayRefusedReason { get; init; }
}
