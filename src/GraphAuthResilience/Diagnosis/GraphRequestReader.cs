namespace GraphAuthResilience.Diagnosis;

/// <summary>Reads the request: status, whether it addressed <c>/me</c>, the chain's replay, the claims challenge.</summary>
internal static class GraphRequestReader
{
    /// <summary>Reads the request facts.</summary>
    /// <param name="input">The failure's context.</param>
    /// <param name="operation">The operation the map matched, or <see langword="null"/>.</param>
    /// <returns>The finding.</returns>
    public static GraphRequestFinding Read(GraphAuthFailureContext input, GraphOperationPermissions? operation)
    {
        ArgumentNullException.ThrowIfNull(input);
        var path = GraphAuthFailureClassifier.RedactPath(input.RequestUri);
        return new GraphRequestFinding
        {
            Status = input.StatusCode,
            AddressesMe = path.StartsWith("/me", StringComparison.OrdinalIgnoreCase) && (path.Length == 3 || path[3] == '/'),
            Replayed = input.Replayed,
            BodyNotReplayable = input.BodyNotReplayable,
            Claims = input.ClaimsJson,
            Display = GraphAuthFailureClassifier.DescribeRequest(input.Method, input.RequestUri, operation),
        };
    }
}
