using System.Text.Json;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;
using static GraphAuthResilience.Tests.Permissions.RecordedUsage;

namespace GraphAuthResilience.Tests;

/// <summary>The report of what recorded calls needed and what tokens held: both kinds of token joined in the lists
/// (sorted, each name once), a one-line summary of counts, and markdown and JSON that say which kind each permission is.</summary>
public class GraphPermissionReportTests
{
    [Test]
    public void Lists_BothKinds_JoinedSortedAndEachNameOnce()
    {
        var report = Report(heldDelegated: ["User.Read.All", "Mail.Read"], heldApplication: ["User.Read.All", "Directory.Read.All"]);

        Assert.That(report.Held, Is.EqualTo(new[] { "Directory.Read.All", "Mail.Read", "User.Read.All" }));
        Assert.That(report.Needed, Is.Ordered.Using((IComparer<string>)StringComparer.OrdinalIgnoreCase));
        Assert.That(report.Needed, Is.Unique);
        Assert.That(report.Operations.Select(o => o.Kind), Is.EquivalentTo(new[] { GraphPermissionKind.Delegated, GraphPermissionKind.Application }));
    }

    [Test]
    public void ToString_Counts()
    {
        var report = Report(heldDelegated: ["Mail.Read"], heldApplication: ["User.Read.All"]);

        Assert.That(report.ToString(), Is.EqualTo(
            $"2 operations, needed {report.Needed.Count}, held 2, missing {report.Missing.Count}, unused {report.Unused.Count}"));
    }

    [Test]
    public void ToJson_PermissionsGroupedByKind()
    {
        var report = Report(heldDelegated: ["Mail.Read"], heldApplication: ["Directory.Read.All"]);

        using var json = JsonDocument.Parse(report.ToJson());
        var text = report.ToJson();

        Assert.That(json.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Object));
        Assert.That(text, Does.Contain("\"delegated\"").And.Contain("\"application\""));
        Assert.That(text, Does.Contain("Directory.Read.All").And.Contain("Mail.Read"));
    }

    [Test]
    public void ToMarkdown_OperationsAndPermissions()
    {
        var report = Report(heldDelegated: ["Mail.Read"], heldApplication: ["Directory.Read.All"]);

        var markdown = report.ToMarkdown();

        Assert.That(markdown, Does.Contain("2 recorded calls to 2 operations."));
        Assert.That(markdown, Does.Contain("| GET | `/users` |"));
        Assert.That(markdown, Does.Contain("| GET | `/me/messages` |"));
        var kinds = markdown.Split('\n').Where(l => l.StartsWith("| delegated |", StringComparison.Ordinal) || l.StartsWith("| application |", StringComparison.Ordinal)).ToList();
        Assert.That(kinds, Has.Count.EqualTo(2), "one row per kind of token");
        Assert.That(kinds.Single(l => l.StartsWith("| application |", StringComparison.Ordinal)), Does.Contain("Directory.Read.All"));
        Assert.That(kinds.Single(l => l.StartsWith("| delegated |", StringComparison.Ordinal)), Does.Contain("Mail.Read").And.Not.Contain("Directory.Read.All"));
    }

    private static GraphPermissionReport Report(IReadOnlyList<string> heldDelegated, IReadOnlyList<string> heldApplication)
    {
        var users = Operation(HttpMethod.Get, "/users", GraphPermissionScheme.Application);
        var messages = Operation(HttpMethod.Get, "/me/messages", GraphPermissionScheme.DelegatedWork);
        return new GraphPermissionReport(PermissionAnalyzer.Analyze(Snapshot([users, messages], heldApplication, heldDelegated)));
    }
}
