namespace GraphAuthResilience.Permissions;

/// <summary>Needed, held, missing and unused for one kind of token (delegated or application); <c>Token</c> is what the
/// tokens of this kind say about tenant, client and cloud (for the grant and removal commands), or null when they
/// disagree or none was seen.</summary>
internal sealed record PermissionKindAnalysis(
    bool AppOnly,
    GraphTokenInfo? Token,
    IReadOnlyList<string> Needed,
    IReadOnlyList<string> Held,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unused,
    IReadOnlyList<string> SignIn,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Covers,
    bool Exact)
{
    public string Kind => AppOnly ? "application" : "delegated";

    public GraphPermissionKind PermissionKind => AppOnly ? GraphPermissionKind.Application : GraphPermissionKind.Delegated;
}
