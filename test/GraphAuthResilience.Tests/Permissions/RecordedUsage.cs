using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Permissions;

/// <summary>What a recorder would have recorded, built by hand for the tests of the analysis and of the report: an
/// operation of Microsoft's map counted once, and a snapshot of operations with the tokens that held the given
/// permissions.</summary>
internal static class RecordedUsage
{
    private static readonly GraphPermissionMap Map = GraphPermissionMap.For(GraphPermissionCatalog.Default);

    /// <summary>The map's operation for <paramref name="method"/> <paramref name="path"/>, counted once for
    /// <paramref name="scheme"/>.</summary>
    public static RecordedOperation Operation(HttpMethod method, string path, GraphPermissionScheme scheme)
    {
        var operation = Map.Find(method, new Uri("https://graph.microsoft.com/v1.0" + path), null)
            ?? throw new AssertionException($"the map knows {method} {path}");
        var recorded = new RecordedOperation(operation, path);
        recorded.Count(scheme);
        return recorded;
    }

    /// <summary>A snapshot of <paramref name="operations"/> with an app-only token holding <paramref name="heldApplication"/>
    /// and, unless <paramref name="heldDelegated"/> is <see langword="null"/>, a delegated token holding those.</summary>
    public static UsageSnapshot Snapshot(
        IReadOnlyList<RecordedOperation> operations, IReadOnlyList<string> heldApplication, IReadOnlyList<string>? heldDelegated = null)
    {
        GraphTokenInfo.TryParse(UnsignedJwt.AppOnly().WithRoles([.. heldApplication]).Build(), out var appToken);
        GraphTokenInfo.TryParse(UnsignedJwt.Delegated([.. heldDelegated ?? []]).Build(), out var delegatedToken);
        return new UsageSnapshot(
            operations, heldDelegated ?? [], heldApplication, ["aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"],
            heldDelegated is null ? null : delegatedToken, appToken, 0, 0, 0, 0, 0, 1000);
    }
}
