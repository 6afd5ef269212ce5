using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;
using static GraphAuthResilience.Tests.Permissions.RecordedUsage;

namespace GraphAuthResilience.Tests.Permissions;

/// <summary>From what was recorded to what the report says, per kind of token: the least-privileged permissions the
/// calls needed, what the tokens held, what is missing and what is unused; the counters of what was not recorded
/// passed on as they are.</summary>
public class PermissionAnalyzerTests
{
    [Test]
    public void Analyze_HeldOnlyAnUnrelatedPermission_NeededIsMissingAndTheHeldOneUnused()
    {
        var listUsers = Operation(HttpMethod.Get, "/users", GraphPermissionScheme.Application);
        var least = listUsers.Operation.LeastFor(GraphPermissionScheme.Application)!.Permission.Name;

        var analysis = PermissionAnalyzer.Analyze(Snapshot([listUsers], heldApplication: ["Mail.Read"]));

        Assert.That(analysis.Application.Needed, Is.EqualTo(new[] { least }));
        Assert.That(analysis.Application.Held, Is.EqualTo(new[] { "Mail.Read" }));
        Assert.That(analysis.Application.Missing, Is.EqualTo(new[] { least }));
        Assert.That(analysis.Application.Unused, Is.EqualTo(new[] { "Mail.Read" }));
        Assert.That(analysis.Delegated.Needed, Is.Empty, "no delegated call was recorded");
    }

    [Test]
    public void Analyze_HeldExactlyTheLeastPrivileged_NothingMissingOrUnused()
    {
        var listUsers = Operation(HttpMethod.Get, "/users", GraphPermissionScheme.Application);
        var least = listUsers.Operation.LeastFor(GraphPermissionScheme.Application)!.Permission.Name;

        var analysis = PermissionAnalyzer.Analyze(Snapshot([listUsers], heldApplication: [least]));

        Assert.That(analysis.Application.Needed, Is.EqualTo(new[] { least }));
        Assert.That(analysis.Application.Missing, Is.Empty);
        Assert.That(analysis.Application.Unused, Is.Empty);
    }

    [Test]
    public void Analyze_OperationsOfBothKinds_EachKindNeedsItsOwnLeastPrivileged()
    {
        var app = Operation(HttpMethod.Get, "/users", GraphPermissionScheme.Application);
        var me = Operation(HttpMethod.Get, "/me/messages", GraphPermissionScheme.DelegatedWork);

        var analysis = PermissionAnalyzer.Analyze(Snapshot([app, me], heldApplication: [], heldDelegated: []));

        Assert.That(analysis.Application.Needed, Is.EqualTo(new[] { app.Operation.LeastFor(GraphPermissionScheme.Application)!.Permission.Name }));
        Assert.That(analysis.Delegated.Needed, Is.EqualTo(new[] { me.Operation.LeastFor(GraphPermissionScheme.DelegatedWork)!.Permission.Name }));
        Assert.That(analysis.Operations, Has.Count.EqualTo(2));
        Assert.That(analysis.Application.AppOnly, Is.True);
        Assert.That(analysis.Delegated.AppOnly, Is.False);
    }

    [Test]
    public void Analyze_CountersOfWhatWasNotRecorded_PassedOnAsTheyAre()
    {
        var snapshot = Snapshot([], heldApplication: []) with
        {
            UnknownCalls = 3,
            DroppedCalls = 5,
            UnreadableTokenCalls = 7,
            UnreadBatches = 11,
            RecordingFailures = 13,
            MaxOperations = 17,
        };

        var analysis = PermissionAnalyzer.Analyze(snapshot);

        Assert.That(
            (analysis.UnknownCalls, analysis.DroppedCalls, analysis.UnreadableTokenCalls, analysis.UnreadBatches, analysis.RecordingFailures, analysis.MaxOperations),
            Is.EqualTo((3L, 5L, 7L, 11L, 13L, 17)));
        Assert.That(analysis.Operations, Is.Empty);
    }
}
