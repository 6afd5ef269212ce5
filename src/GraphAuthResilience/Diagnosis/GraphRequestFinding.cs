using System.Net;

namespace GraphAuthResilience.Diagnosis;

/// <summary>What the request and the chain's handling of it say.</summary>
internal sealed class GraphRequestFinding
{
    /// <summary>Gets the answer's status.</summary>
    public HttpStatusCode Status { get; init; }

    /// <summary>Gets a value indicating whether the request addressed the signed-in user (<c>/me</c>).</summary>
    public bool AddressesMe { get; init; }

    /// <summary>Gets a value indicating whether the chain replayed the request with a fresh token and was refused again.</summary>
    public bool Replayed { get; init; }

    /// <summary>Gets a value indicating whether a fresh token could not be tried because the body was not replayable.</summary>
    public bool BodyNotReplayable { get; init; }

    /// <summary>Gets the decoded claims of a claims challenge in the answer, or <see langword="null"/>.</summary>
    public string? Claims { get; init; }

    /// <summary>Gets the request as the catalog's template (or the redacted path), without ids or query.</summary>
    public required string Display { get; init; }
}
