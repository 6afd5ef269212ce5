namespace GraphAuthResilience.Permissions;

/// <summary>Needed, held, missing and unused for one kind of token (delegated or application).</summary>
internal sealed record PermissionKindAnalysis(
    bool AppOnly,
    IReadOnlyList<string> Needed,
    IReadOnlyList<string> Held,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unused,
    IReadOnlyList<string> SignIn,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Covers,
    bool Exact)
{
    public static PermissionKindAnalysis Empty(bool appOnly) => new(
        appOnly, [], [], [], [], [], new Dictionary<string, IReadOnlyList<string>>(), true);

    public string Kind => AppOnly ? "application" : "delegated";
}

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
