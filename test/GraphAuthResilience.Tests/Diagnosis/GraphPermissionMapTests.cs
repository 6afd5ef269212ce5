using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>The permission map over a catalog: one per catalog, operations and permissions found through it, and the
/// permissions' display texts (four words or more, longest first) back to their names.</summary>
public class GraphPermissionMapTests
{
    private static readonly GraphPermissionMap Map = GraphPermissionMap.For(GraphPermissionCatalog.Default);

    [Test]
    public void For_SameCatalog_OneMapAndOneLattice()
    {
        var again = GraphPermissionMap.For(GraphPermissionCatalog.Default);

        Assert.That(again, Is.SameAs(Map));
        Assert.That(again.Lattice, Is.SameAs(Map.Lattice));
    }

    [Test]
    public void Find_KnownOperation_TheCatalogsEntry()
    {
        var uri = new Uri("https://graph.microsoft.com/v1.0/users/alice@contoso.com/messages?$top=5");

        var operation = Map.Find(HttpMethod.Get, uri, null);

        Assert.That(operation?.Display, Is.EqualTo(GraphPermissionCatalog.Default.Find(HttpMethod.Get, uri, null)?.Display));
        Assert.That(operation?.Method, Is.EqualTo("GET"));
        Assert.That(operation!.Delegated, Does.Contain("Mail.Read"));
        Assert.That(Map.Find(HttpMethod.Get, new Uri("https://graph.microsoft.com/v1.0/noSuchThing/here"), null), Is.Null);
    }

    [Test]
    public void Permission_ByName_ItsInfo()
    {
        Assert.That(Map.Permission("User.Read.All")?.Name, Is.EqualTo("User.Read.All"));
        Assert.That(Map.Permission("No.Such.Permission"), Is.Null);
    }

    [Test]
    public void DisplayTexts_LongestFirstAndEachLeadsBackToItsPermissions()
    {
        var texts = Map.DisplayTexts;

        Assert.That(texts, Is.Not.Empty);
        Assert.That(texts.Select(t => t.Length), Is.Ordered.Descending);
        Assert.That(texts.All(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 4), Is.True, "short texts would match ordinary sentences");
        foreach (var text in texts.Take(50))
        {
            var names = Map.ByDisplayText(text);
            Assert.That(names, Is.Not.Empty, text);
            Assert.That(Map.ByDisplayText(text.ToUpperInvariant()), Is.EqualTo(names), "found without case");
        }
    }

    [Test]
    public void ByDisplayText_KnownText_ThePermissionWhoseTextItIs()
    {
        var text = Map.Permission("User.Read.All")!.AdminDisplayName(GraphPermissionScheme.Application);
        Assert.That(text, Is.Not.Null);

        Assert.That(Map.ByDisplayText(text!), Does.Contain("User.Read.All"));
        Assert.That(Map.ByDisplayText("a sentence no permission uses"), Is.Empty);
    }
}
