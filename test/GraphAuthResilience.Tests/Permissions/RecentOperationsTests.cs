using System.Text.RegularExpressions;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Permissions;

public partial class RecentOperationsTests
{
    private const string Users = "https://graph.microsoft.com/v1.0/users/";
    private static readonly string AppToken = UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build();

    [Test]
    public void Find_LastSegmentMatchedByAWildcard_AnyOtherIdFindsIt_NothingElseDoes()
    {
        var (usage, recent, users) = Seen("GET", Users + "6c5b4a39-0000-4000-8000-0000000000a1");

        Assert.Multiple(() =>
        {
            Assert.That(recent.Find("GET", Users + "alice@contoso.com"), Is.SameAs(users));
            Assert.That(recent.Find("GET", Users + "8f0c2a9e-aaaa-bbbb-cccc-0123456789ab?$select=id"), Is.SameAs(users), "query aside");
            Assert.That(recent.Find("GET", Users + "u-2#x"), Is.SameAs(users), "fragment aside");
            Assert.That(recent.Find("PATCH", Users + "u-2"), Is.Null, "another method is another operation");
            Assert.That(recent.Find("GET", Users + "delta"), Is.Null, "a word is never taken for an id");
            Assert.That(recent.Find("GET", Users + "fido2"), Is.Null, "an id-like literal of the catalog is left to the walk");
            Assert.That(recent.Find("GET", Users + "u-2/manager"), Is.Null, "more segments");
            Assert.That(recent.Find("GET", Users + "u-2/"), Is.Null, "a trailing slash");
            Assert.That(recent.Find("GET", Users), Is.Null, "no id");
            Assert.That(recent.Find("GET", Users + "('u-2')"), Is.Null, "key syntax is left to the catalog");
            Assert.That(recent.Find("GET", Users + "u:2"), Is.Null);
            Assert.That(recent.Find("GET", "https://graph.microsoft.com/beta/users/u-2"), Is.Null, "another start");
            Assert.That(recent.Find("GET", "https://GRAPH.microsoft.com/v1.0/users/u-2"), Is.Null, "compared as written: the walk decides");
        });
        GC.KeepAlive(usage);
    }

    [Test]
    public void Find_LastSegmentMatchedByALiteral_OnlyTheSamePathFindsIt()
    {
        var (usage, recent, me) = Seen("GET", "https://graph.microsoft.com/v1.0/me");

        Assert.Multiple(() =>
        {
            Assert.That(recent.Find("GET", "https://graph.microsoft.com/v1.0/me"), Is.SameAs(me));
            Assert.That(recent.Find("GET", "https://graph.microsoft.com/v1.0/me?$select=displayName"), Is.SameAs(me));
            Assert.That(recent.Find("GET", "https://graph.microsoft.com/v1.0/me/messages"), Is.Null);
            Assert.That(recent.Find("GET", "https://graph.microsoft.com/v1.0/mex"), Is.Null);
            Assert.That(recent.Find("GET", "https://graph.microsoft.com/v1.0/users/u-1"), Is.Null);
        });
        GC.KeepAlive(usage);
    }

    [Test]
    public void Find_OverTheCatalog_NeverDisagreesWithTheWalk()
    {
        // Every GET of Microsoft's map, each made once with one set of ids (so that the walk finds it and the thread keeps
        // it), then probed with other ids, with the literals of the catalog where the ids were, and with each other's
        // paths: whatever the kept operations find must be what the walk and the catalog find for the same request.
        var usage = new GraphPermissionUsage(maxOperations: 100_000);
        var token = usage.TokenFor(AppToken);
        var templates = GraphPermissionCatalog.Default.Operations
            .Where(o => o.Method == "GET" && !o.PathTemplate.Contains('(') && !o.PathTemplate.Contains(':'))
            .Select(o => o.PathTemplate)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        var literals = templates.SelectMany(t => t.Split('/')).Where(s => s.Length > 0 && !s.StartsWith('{')).Distinct().ToList();
        var checkedFinds = 0;
        var disagreements = new List<string>();
        var random = new Random(20261207);
        for (var i = 0; i < templates.Count; i += 2)
        {
            var made = Instantiate(templates[i], "6c5b4a39-0000-4000-8000-0000000000a1");
            usage.Record("GET", made, token); // the catalog, then the index
            usage.Record("GET", made, token); // the walk: kept by this thread
            var recent = RecentOperations.For(usage);

            var probes = new List<Uri>
            {
                Instantiate(templates[i], "alice@contoso.com"),
                Instantiate(templates[random.Next(templates.Count)], "u-1"),
                new(made.OriginalString[..(made.OriginalString.LastIndexOf('/') + 1)] + literals[random.Next(literals.Count)]),
                new(made.OriginalString[..(made.OriginalString.LastIndexOf('/') + 1)] + OperationPathIndex.IdLikeLiterals[random.Next(OperationPathIndex.IdLikeLiterals.Length)]),
            };
            foreach (var probe in probes)
            {
                if (recent.Find("GET", probe.OriginalString) is not { } kept)
                {
                    continue;
                }

                checkedFinds++;
                var walked = usage.Match("GET", probe, remember: null);
                if (!ReferenceEquals(kept, walked))
                {
                    disagreements.Add($"{probe.AbsolutePath}: kept {kept.Operation.Display}, walk {walked?.Operation.Display ?? "none"}");
                }
            }
        }

        Assert.That(checkedFinds, Is.GreaterThan(800), "the kept operations answered often enough to be checked");
        Assert.That(disagreements, Is.Empty);
    }

    [Test]
    public void Record_MoreOperationsThanAThreadKeeps_CountsEveryCallAndAllocatesNothing()
    {
        var usage = new GraphPermissionUsage();
        var token = usage.TokenFor(AppToken);
        Uri[] calls =
        [
            new(Users + "6c5b4a39-0000-4000-8000-0000000000a1"),
            new(Users + "6c5b4a39-0000-4000-8000-0000000000a1/manager"),
            new(Users + "6c5b4a39-0000-4000-8000-0000000000a1/memberOf"),
            new("https://graph.microsoft.com/v1.0/groups/6c5b4a39-0000-4000-8000-0000000000a2"),
            new("https://graph.microsoft.com/v1.0/groups/6c5b4a39-0000-4000-8000-0000000000a2/members"),
            new("https://graph.microsoft.com/v1.0/applications/6c5b4a39-0000-4000-8000-0000000000a3"),
        ];
        Assert.That(calls, Has.Length.GreaterThan(RecentOperations.Size));
        foreach (var call in calls.Concat(calls))
        {
            usage.Record("GET", call, token); // first sight, then the walk
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 600; i++)
        {
            usage.Record("GET", calls[i % calls.Length], token);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var report = usage.GetReport();

        Assert.That(allocated, Is.Zero, "a thread's kept operations are replaced in place");
        Assert.That(report.Operations.Sum(o => o.Count), Is.EqualTo(612));
        Assert.That(report.Operations.Select(o => o.Count), Is.All.EqualTo(102));
    }

    [Test]
    public void For_AnotherRecorderOrForgottenOperations_StartsAfresh()
    {
        var (first, recent, users) = Seen("GET", Users + "6c5b4a39-0000-4000-8000-0000000000a1");
        var second = new GraphPermissionUsage();

        Assert.That(RecentOperations.For(second).Find("GET", Users + "u-2"), Is.Null, "another recorder's operations are not its own");
        Assert.That(RecentOperations.For(first).Find("GET", Users + "u-2"), Is.Null, "the thread now keeps the second recorder's");

        var (_, again, _) = (first, RecentOperations.For(first), users);
        first.Record("GET", new Uri(Users + "u-3"), first.TokenFor(AppToken));
        Assert.That(again.Find("GET", Users + "u-4"), Is.SameAs(users));
        first.ForgetOperations();
        Assert.That(RecentOperations.For(first).Find("GET", Users + "u-4"), Is.Null, "forgotten operations are not kept");
        GC.KeepAlive(recent);
    }

    /// <summary>A recorder that has seen one call twice (the catalog, then the walk), and this thread's kept operations.</summary>
    private static (GraphPermissionUsage Usage, RecentOperations Recent, RecordedOperation Operation) Seen(string method, string uri)
    {
        var usage = new GraphPermissionUsage();
        var token = usage.TokenFor(AppToken);
        usage.Record(method, new Uri(uri), token);
        usage.Record(method, new Uri(uri), token);
        var operation = usage.Match(method, new Uri(uri), remember: null);
        Assert.That(operation, Is.Not.Null);
        return (usage, RecentOperations.For(usage), operation!);
    }

    private static Uri Instantiate(string template, string id) =>
        new("https://graph.microsoft.com/v1.0" + Placeholder().Replace(template, id));

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Placeholder();
}
