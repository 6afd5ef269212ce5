using System.Net;

using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Batching;

/// <summary>
/// One step of a batch answer still failing with 400/401/403, with what diagnosis needs: the step's own method and
/// URL (resolved against the batch's host and version), its status, the claims of its challenge and its body, and the
/// token it was sent with; what the batch handler already read (<see cref="BatchStepReadings"/>) is passed as read.
/// </summary>
internal sealed record BatchStepFailure(
    string Id,
    HttpStatusCode Status,
    HttpMethod Method,
    Uri? Uri,
    string? ClaimsJson,
    ReadOnlyMemory<byte> Body,
    string? SentToken,
    GraphTokenInfo? SentTokenInfo,
    bool Resent)
{
    public string? RequestIdHeader { get; init; }

    public string? ClientRequestIdHeader { get; init; }

    /// <summary>Gets the step's request body when it is a JSON object (password resets are told apart by it).</summary>
    public ReadOnlyMemory<byte> RequestJsonBody { get; init; }

    /// <summary>Names the step without its token or bodies (the generated record text would print the token).</summary>
    /// <returns>The step id, status, method and redacted path.</returns>
    public override string ToString() => $"BatchStepFailure {{ Id = {Id}, Status = {(int)Status}, {Method.Method} {GraphPath.Redact(Uri)} }}";
}
