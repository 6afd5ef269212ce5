namespace GraphAuthResilience.Permissions;

/// <summary>What <see cref="GraphPermissionUsage"/> had recorded at one moment: the input of <see cref="PermissionAnalyzer"/>.</summary>
internal sealed record UsageSnapshot(
    IReadOnlyList<RecordedOperation> Operations,
    IReadOnlyList<string> HeldDelegated,
    IReadOnlyList<string> HeldApplication,
    IReadOnlyList<string> AppIds,
    GraphTokenInfo? FirstDelegatedToken,
    GraphTokenInfo? FirstApplicationToken,
    long UnknownCalls,
    long DroppedCalls,
    long UnreadableTokenCalls,
    long UnreadBatches,
    long RecordingFailures,
    int MaxOperations);
