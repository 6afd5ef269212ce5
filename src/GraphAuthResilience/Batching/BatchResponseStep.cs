namespace GraphAuthResilience.Batching;

/// <summary>One answer of a batch response: where its JSON sits, its status, and the headers the chain reads.</summary>
internal sealed class BatchResponseStep
{
    public required string Id { get; init; }

    public required int Status { get; init; }

    /// <summary>Gets the offset of the answer's JSON object in the response body.</summary>
    public required int Start { get; init; }

    /// <summary>Gets the offset just after the answer's JSON object.</summary>
    public required int End { get; init; }

    public string? WwwAuthenticate { get; init; }

    public string? RequestId { get; init; }

    public string? ClientRequestId { get; init; }

    /// <summary>Gets where the answer's body value sits (<c>Start</c> &lt; 0 when there is none).</summary>
    public (int Start, int End) Body { get; init; } = (-1, -1);

    /// <summary>Gets a value indicating whether the body is a JSON string (Graph's base64 form of a non-JSON body).</summary>
    public bool BodyIsString { get; init; }

    public bool IsAuthFailure => Status is 400 or 401 or 403;
}
