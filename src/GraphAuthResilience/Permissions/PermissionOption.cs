namespace GraphAuthResilience.Permissions;

/// <summary>One way to satisfy an operation: a least-privileged permission, with one of its AlsoRequires when it has
/// any (then each AlsoRequires gives its own option of two permissions). <paramref name="Rank"/> is the permission's
/// place in the operation's list, which the catalog orders least privileged first.</summary>
internal sealed record PermissionOption(IReadOnlyList<string> Permissions, int Rank);
