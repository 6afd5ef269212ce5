using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>The lattice derived from Microsoft's map, checked both ways on the map's own data: what it says covers
/// is accepted wherever the narrower one is, and what the map accepts wherever another is, it says covers.</summary>
public class GraphPermissionLatticeTests
{
    private static readonly GraphPermissionMap Map = GraphPermissionMap.For(GraphPermissionCatalog.Default);
    private static readonly Lazy<List<GraphOperationPermissions>> Operations = new(() => [.. Map.Operations]);

    [TestCase("DelegatedWork", "Mail.ReadWrite", "Mail.Read")]
    [TestCase("Application", "Mail.ReadWrite", "Mail.Read")]
    [TestCase("Application", "Group.ReadWrite.All", "Group.Read.All")]
    [TestCase("DelegatedWork", "Calendars.ReadWrite", "Calendars.Read")]
    [TestCase("DelegatedWork", "Files.Read.All", "Files.Read")]
    public void Covers_WiderOverNarrower_TrueAndNotTheOtherWay(string schemeName, string wider, string narrower)
    {
        var scheme = Enum.Parse<GraphPermissionScheme>(schemeName);
        Assert.That(Map.Lattice.Covers(scheme, wider, narrower), Is.True, $"{wider} over {narrower}");
        Assert.That(Map.Lattice.Covers(scheme, narrower, wider), Is.False, $"{narrower} over {wider}");
        AssertShareAnOperation(scheme, wider, narrower);
    }

    [Test]
    public void Covers_MapAcceptsOneWhereverTheOther_CoversWhateverTheNames()
    {
        // Both ways on map data: every permission the map accepts wherever it accepts another covers it.
        var accepted = AcceptedOn(GraphPermissionScheme.Application);
        var pairs = 0;
        foreach (var (narrower, narrow) in accepted.Where(p => p.Value.Count >= 3).Take(150))
        {
            foreach (var (wider, wide) in accepted.Where(p => !string.Equals(p.Key, narrower, StringComparison.OrdinalIgnoreCase) && narrow.IsSubsetOf(p.Value) && !GraphPermissionLattice.IsWiderByName(narrower, p.Key)))
            {
                Assert.That(Map.Lattice.Covers(GraphPermissionScheme.Application, wider, narrower), Is.True, $"{wider} over {narrower}");
                pairs++;
            }
        }

        Assert.That(pairs, Is.GreaterThan(10));
    }

    [Test]
    public void Covers_SamePermissionAnyCase_True() =>
        Assert.That(Map.Lattice.Covers(GraphPermissionScheme.DelegatedWork, "mail.read", "Mail.Read"), Is.True);

    [Test]
    public void Covers_UnrelatedPermissions_False()
    {
        Assert.That(Map.Lattice.Covers(GraphPermissionScheme.Application, "Mail.Read", "User.Read.All"), Is.False);
        Assert.That(Map.Lattice.Covers(GraphPermissionScheme.Application, "Sites.Selected", "Sites.Read.All"), Is.False);
    }

    [Test]
    public void Covers_EveryNameFamilyPair_AgreesWithTheMapBothWays()
    {
        // For every Read/ReadWrite and X/X.All pair the map has, per scheme: the lattice says "covers" exactly when the
        // map accepts both on a shared operation; and never the other way round.
        var checkedPairs = 0;
        var covering = 0;
        foreach (var scheme in new[] { GraphPermissionScheme.DelegatedWork, GraphPermissionScheme.Application })
        {
            var accepted = AcceptedOn(scheme);
            foreach (var narrower in accepted.Keys)
            {
                foreach (var wider in Wider(narrower).Where(accepted.ContainsKey))
                {
                    var narrow = accepted[narrower];
                    var wide = accepted[wider];
                    var mapSays = narrow.Overlaps(wide);
                    Assert.That(Map.Lattice.Covers(scheme, wider, narrower), Is.EqualTo(mapSays), $"{scheme}: {wider} over {narrower}");
                    if (mapSays)
                    {
                        Assert.That(Map.Lattice.Covers(scheme, narrower, wider), Is.False, $"{scheme}: {narrower} over {wider}");
                        covering++;
                    }

                    checkedPairs++;
                }
            }
        }

        Assert.That(checkedPairs, Is.GreaterThan(100), "the map has many such pairs");
        Assert.That(covering, Is.GreaterThan(50), "most name pairs cover");
    }

    [TestCase("Mail.ReadWrite", "Mail.Read", true)]
    [TestCase("Mail.Read.All", "Mail.Read", true)]
    [TestCase("Group.ReadWrite.All", "Group.Read.All", true)]
    [TestCase("Mail.Read", "Mail.ReadWrite", false)]
    [TestCase("Mail.ReadBasic", "Mail.Read", false)]
    [TestCase("Mail.Read", "Mail.ReadBasic", false)]
    public void IsWiderByName_Names_Family(string wider, string narrower, bool expected) =>
        Assert.That(GraphPermissionLattice.IsWiderByName(wider, narrower), Is.EqualTo(expected));

    [Test]
    public void HeldCovering_TokenHoldsAWiderPermission_ThatOne()
    {
        var held = new[] { "User.Read", "Mail.ReadWrite" };

        Assert.That(Map.Lattice.HeldCovering(GraphPermissionScheme.DelegatedWork, held, "Mail.Read"), Is.EqualTo("Mail.ReadWrite"));
        Assert.That(Map.Lattice.HeldCovering(GraphPermissionScheme.DelegatedWork, held, "Calendars.Read"), Is.Null);
    }

    private static IEnumerable<string> Wider(string narrower)
    {
        if (narrower.Contains(".Read.", StringComparison.Ordinal) || narrower.EndsWith(".Read", StringComparison.Ordinal))
        {
            var readWrite = narrower.Replace(".Read", ".ReadWrite", StringComparison.Ordinal);
            yield return readWrite;
            if (!readWrite.EndsWith(".All", StringComparison.Ordinal))
            {
                yield return readWrite + ".All";
            }
        }

        if (!narrower.EndsWith(".All", StringComparison.Ordinal))
        {
            yield return narrower + ".All";
        }
    }

    private static Dictionary<string, HashSet<int>> AcceptedOn(GraphPermissionScheme scheme)
    {
        var accepted = new Dictionary<string, HashSet<int>>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Operations.Value.Count; i++)
        {
            foreach (var grant in Operations.Value[i].Grants(scheme))
            {
                if (!accepted.TryGetValue(grant.Name, out var set))
                {
                    accepted[grant.Name] = set = [];
                }

                set.Add(i);
            }
        }

        return accepted;
    }

    private static void AssertShareAnOperation(GraphPermissionScheme scheme, string wider, string narrower)
    {
        var where = Operations.Value.Where(o => o.Grants(scheme).Any(g => string.Equals(g.Name, narrower, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.That(where, Is.Not.Empty, $"the map accepts {narrower} somewhere");
        Assert.That(where.Any(o => o.Grants(scheme).Any(g => string.Equals(g.Name, wider, StringComparison.OrdinalIgnoreCase))), Is.True, $"the map accepts {wider} where it accepts {narrower}");
    }
}
