using System.Text.Json;

namespace GraphAuthResilience.Batching;

/// <summary>One step of a batch request: where its JSON sits in the body, and what the chain needs from it.</summary>
internal sealed class BatchRequestStep
{
    public required string Id { get; init; }

    public required string Method { get; init; }

    public required string Url { get; init; }

    public required string[] DependsOn { get; init; }

    /// <summary>Gets the offset of the step's JSON object in the request body.</summary>
    public required int Start { get; init; }

    /// <summary>Gets the offset just after the step's JSON object.</summary>
    public required int End { get; init; }

    /// <summary>Gets the step's properties as they appear: the name, and where its value sits (for rewriting
    /// <c>dependsOn</c> while keeping every other value byte for byte).</summary>
    public required IReadOnlyList<(string Name, int Start, int End)> Properties { get; init; }

    /// <summary>Gets where the step's body sits when it is a JSON object (<c>Start</c> &lt; 0 when none or base64).</summary>
    public (int Start, int End) JsonBody { get; init; } = (-1, -1);
}
