namespace GraphAuthResilience.Permissions;

/// <summary>An operation to cover: any one of its least-privileged <paramref name="Options"/> is enough to pick;
/// <paramref name="Accepted"/> is every option the catalog lists for it (wider ones too).</summary>
internal sealed record PermissionRequirement(string Display, IReadOnlyList<PermissionOption> Options, IReadOnlyList<PermissionOption> Accepted);
