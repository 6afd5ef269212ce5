using GraphAuthResilience.Permissions;

namespace GraphAuthResilience.Tests.Permissions;

public class PermissionSetCoverTests
{
    private static readonly HashSet<string> NothingHeld = new(StringComparer.OrdinalIgnoreCase);

    [Test]
    public void Solve_SharedAlternative_PicksOnePermissionForBoth()
    {
        // Two operations, each satisfied by its own narrow permission or by a shared one: one permission covers both.
        var needed = PermissionSetCover.Solve([Req("A", ["Narrow.A", "Shared"]), Req("B", ["Narrow.B", "Shared"])], NothingHeld, out var exact);

        Assert.That(needed, Is.EqualTo(new[] { "Shared" }));
        Assert.That(exact, Is.True);
    }

    [Test]
    public void Solve_TieOfEqualSize_PrefersWhatIsHeldThenLowerRankThenName()
    {
        PermissionRequirement[] requirements = [Req("A", ["Zeta", "Alpha"])];

        Assert.That(PermissionSetCover.Solve(requirements, NothingHeld, out _), Is.EqualTo(new[] { "Zeta" }), "rank 0 (listed first) wins");
        Assert.That(PermissionSetCover.Solve(requirements, new HashSet<string>(["Alpha"]), out _), Is.EqualTo(new[] { "Alpha" }), "held wins over rank");
        PermissionRequirement[] sameRank = [new("A", [new(["Zeta"], 0), new(["Alpha"], 0)], [new(["Zeta"], 0), new(["Alpha"], 0)])];
        Assert.That(PermissionSetCover.Solve(sameRank, NothingHeld, out _), Is.EqualTo(new[] { "Alpha" }), "then by name");
    }

    [Test]
    public void Solve_AlsoRequires_AddsOneOfThePairedPermissions()
    {
        // Like the map's "Sites.Selected plus one of Files.SelectedOperations.Selected, ...": a pair, both needed.
        PermissionRequirement requirement = new("A", [new(["Main", "Extra.One"], 0), new(["Main", "Extra.Two"], 0)], [new(["Main", "Extra.One"], 0), new(["Main", "Extra.Two"], 0)]);

        Assert.That(PermissionSetCover.Solve([requirement], NothingHeld, out _), Is.EqualTo(new[] { "Extra.One", "Main" }));
        Assert.That(PermissionSetCover.Solve([requirement], new HashSet<string>(["Extra.Two"]), out _), Is.EqualTo(new[] { "Extra.Two", "Main" }));
    }

    [Test]
    public void Solve_NarrowPermissionWhoseOperationsAWiderNeededOneAllows_IsDropped()
    {
        // GET /users needs User.ReadBasic.All at least, and User.Read.All allows it; the manager needs User.Read.All.
        PermissionRequirement users = new("GET /users", [new(["User.ReadBasic.All"], 0)], [new(["User.ReadBasic.All"], 0), new(["User.Read.All"], 1)]);
        PermissionRequirement manager = new("GET /users/{id}/manager", [new(["User.Read.All"], 0)], [new(["User.Read.All"], 0)]);

        Assert.That(PermissionSetCover.Solve([users, manager], NothingHeld, out _), Is.EqualTo(new[] { "User.Read.All" }));
        Assert.That(PermissionSetCover.Solve([users], NothingHeld, out _), Is.EqualTo(new[] { "User.ReadBasic.All" }));
    }

    [Test]
    public void Solve_MoreCandidatesThanTheExactLimit_FallsBackToGreedyAndStillCoversEverything()
    {
        // Twenty operations, each with two options: its own permission or one of four shared ones.
        var requirements = Enumerable.Range(0, 20).Select(i => Req($"Op{i}", [$"Own.{i:D2}", $"Shared.{i % 4}"])).ToList();

        var needed = PermissionSetCover.Solve(requirements, NothingHeld, out var exact);

        Assert.That(exact, Is.False);
        Assert.That(needed, Is.EqualTo(new[] { "Shared.0", "Shared.1", "Shared.2", "Shared.3" }));
        var set = new HashSet<string>(needed);
        Assert.That(requirements.All(r => PermissionSetCover.IsAccepted(r, set)), Is.True);
    }

    [Test]
    public void Solve_SameRequirementsInAnotherOrder_GivesTheSameSet()
    {
        var requirements = new[] { Req("A", ["P", "Q"]), Req("B", ["Q", "R"]), Req("C", ["R", "P"]) };

        var forward = PermissionSetCover.Solve(requirements, NothingHeld, out _);
        var backward = PermissionSetCover.Solve([.. requirements.Reverse()], NothingHeld, out _);

        Assert.That(forward, Has.Count.EqualTo(2));
        Assert.That(backward, Is.EqualTo(forward));
    }

    private static PermissionRequirement Req(string display, string[] permissions)
    {
        var options = permissions.Select((p, i) => new PermissionOption([p], i)).ToList();
        return new PermissionRequirement(display, options, options);
    }
}
