namespace GraphAuthResilience.Permissions;

/// <summary>Everything a <see cref="GraphPermissionReport"/> says, worked out once when the report is made.</summary>
internal sealed record PermissionAnalysis(
    IReadOnlyList<GraphOperationUse> Operations,
    PermissionKindAnalysis Delegated,
    PermissionKindAnalysis Application,
    IReadOnlyList<string> AppIds,
    long UnknownCalls,
    long DroppedCalls,
    long UnreadableTokenCalls,
    long UnreadBatches,
    long RecordingFailures,
    int MaxOperations)
{
    public IEnumerable<PermissionKindAnalysis> Kinds => [Delegated, Application];
}
