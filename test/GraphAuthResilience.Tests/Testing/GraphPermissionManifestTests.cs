using GraphAuthResilience.Testing;
using GraphAuthResilience.Tests.Permissions;

namespace GraphAuthResilience.Tests.Testing;

public class GraphPermissionManifestTests
{
    private static readonly string UserToken = UnsignedJwt.Delegated("User.Read").Build();
    private static readonly string AppToken = UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build();

    [Test]
    public async Task Compare_ManifestEqualToTheCalls_HasNoDrift()
    {
        var report = await RecordAsync();

        var drift = GraphPermissionManifest.Compare(report, """{ "delegated": [ "user.read" ], "application": [ "User.Read.All" ] }""");

        Assert.That(drift.IsEmpty, Is.True, drift.ToString());
        Assert.That(GraphPermissionManifest.Compare(report, GraphPermissionManifest.Create(report)).IsEmpty, Is.True, "Create writes the matching manifest");
    }

    [Test]
    public async Task Compare_CallNeedsAPermissionTheManifestLacks_ListsIt()
    {
        var report = await RecordAsync();

        var drift = GraphPermissionManifest.Compare(report, """{ "delegated": [ "User.Read" ], "application": [] }""");

        Assert.That(drift.NotInManifest, Is.EqualTo(new[] { "User.Read.All (application)" }));
        Assert.That(drift.NotUsed, Is.Empty);
        Assert.That(drift.ToString(), Does.Contain("Needed by a call, not in the manifest: User.Read.All (application)"));
    }

    [Test]
    public async Task Compare_ManifestGrantsWhatNothingUses_ListsIt()
    {
        var report = await RecordAsync();

        var drift = GraphPermissionManifest.Compare(report, """{ "delegated": [ "User.Read", "Mail.Send" ], "application": [ "User.Read.All", "Directory.ReadWrite.All" ] }""");

        Assert.That(drift.NotInManifest, Is.Empty);
        Assert.That(drift.NotUsed, Is.EqualTo(new[] { "Mail.Send (delegated)", "Directory.ReadWrite.All (application)" }));
    }

    [Test]
    public async Task Verify_DriftBothWays_ThrowsListingEach()
    {
        var report = await RecordAsync();
        var path = Path.Combine(Path.GetTempPath(), $"graph-permissions-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, """{ "delegated": [ "User.Read" ], "application": [ "Directory.ReadWrite.All" ] }""");
        try
        {
            var failure = Assert.Throws<GraphPermissionManifestException>(() => GraphPermissionManifest.Verify(report, path));

            Assert.That(failure!.Message, Does.Contain("Needed by a call, not in the manifest: User.Read.All (application)"));
            Assert.That(failure.Message, Does.Contain("In the manifest, needed by no call: Directory.ReadWrite.All (application)"));
            Assert.That(failure.Drift!.MatchingManifest, Does.Contain("\"User.Read.All\""));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Verify_ManifestEqualToTheCalls_Passes()
    {
        var report = await RecordAsync();
        var path = Path.Combine(Path.GetTempPath(), $"graph-permissions-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, GraphPermissionManifest.Create(report));
        try
        {
            Assert.DoesNotThrow(() => GraphPermissionManifest.Verify(report, path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Verify_NoManifestFile_ThrowsWithTheManifestToCommit()
    {
        var report = await RecordAsync();

        var failure = Assert.Throws<GraphPermissionManifestException>(() => GraphPermissionManifest.Verify(report, "/nonexistent/graph-permissions.json"));

        Assert.That(failure!.Message, Does.Contain("No permission manifest").And.Contain("\"application\": [\n    \"User.Read.All\"\n  ]"));
    }

    [TestCase("[]")]
    [TestCase("""{ "delegated": "User.Read" }""")]
    [TestCase("""{ "delegatd": [] }""")]
    [TestCase("not json")]
    public async Task Compare_MalformedManifest_ThrowsFormatException(string manifest)
    {
        var report = await RecordAsync();

        Assert.Throws<FormatException>(() => GraphPermissionManifest.Compare(report, manifest));
    }

    private static async Task<GraphPermissionReport> RecordAsync()
    {
        using var harness = new PermissionHarness(UserToken, AppToken);
        await harness.GetAsync(PermissionHarness.Delegated, "/v1.0/me");
        await harness.GetAsync(PermissionHarness.App, "/v1.0/users/u-1/manager");
        return harness.Usage.GetReport();
    }
}
