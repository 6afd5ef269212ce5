using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Permissions;

namespace GraphAuthResilience.Tests.Permissions;

public class OperationPathIndexTests
{
    [Test]
    public void Find_SameShapeOtherId_FindsTheOperationWithoutTheCatalog()
    {
        var index = new OperationPathIndex(64);
        var operation = Recorded("GET", "/v1.0/users/u-1");

        Assert.That(index.TryAdd("GET", "/v1.0/users/u-1", operation.Template, operation), Is.True);

        Assert.That(index.Find("GET", "/v1.0/users/alice@contoso.com"), Is.SameAs(operation));
        Assert.That(index.Find("GET", "/beta/users/8f0c2a9e-aaaa-bbbb-cccc-0123456789ab"), Is.SameAs(operation));
        Assert.That(index.Find("PATCH", "/v1.0/users/u-2"), Is.Null, "another method is another operation");
        Assert.That(index.Find("GET", "/v1.0/users/delta"), Is.Null, "a word is never taken for an id: the catalog decides");
        Assert.That(index.Find("GET", "/v1.0/users('u-2')"), Is.Null, "key syntax is left to the catalog");
        Assert.That(index.Find("GET", "/v1.0/users/u-2/"), Is.Null);
        Assert.That(index.Find("GET", "/v1.0/users/fido2"), Is.Null, "an id-like literal of the catalog is left to the catalog");
    }

    [Test]
    public void TryAdd_MeFoundAsUsersId_KeepsTheMeShape()
    {
        var index = new OperationPathIndex(64);
        var template = GraphPathTemplate.TokenizeTemplate("/users/{id}/photo");
        var operation = Recorded("GET", "/v1.0/users/u-1/photo");

        Assert.That(index.TryAdd("GET", "/v1.0/me/photo", template, operation), Is.True);
        Assert.That(index.Find("GET", "/v1.0/me/photo"), Is.SameAs(operation));
        Assert.That(index.Find("GET", "/v1.0/users/u-1/photo"), Is.Null, "only the shape that was seen");
    }

    [Test]
    public void TryAdd_PastTheNodeBound_AddsNothingMore()
    {
        var index = new OperationPathIndex(2);
        var users = Recorded("GET", "/v1.0/users/u-1");
        var manager = Recorded("GET", "/v1.0/users/u-1/manager");

        Assert.That(index.TryAdd("GET", "/v1.0/users/u-1", users.Template, users), Is.True);
        Assert.That(index.TryAdd("GET", "/v1.0/users/u-1/manager", manager.Template, manager), Is.False);
        Assert.That(index.NodeCount, Is.EqualTo(2));
    }

    [Test]
    public void Catalog_NoLiteralBesideAPlaceholderLooksLikeAnId()
    {
        // The index sends a segment through a wildcard only when it looks like an id and is not one of the catalog's
        // id-like literals. That is safe only if the list names every literal that looks like an id where a
        // placeholder could match too: checked on the whole catalog.
        var children = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var operation in GraphPermissionCatalog.Default.Operations)
        {
            var tokens = GraphPathTemplate.TokenizeTemplate(operation.PathTemplate);
            for (var i = 0; i < tokens.Count; i++)
            {
                var parent = string.Join('/', tokens.Take(i));
                if (!children.TryGetValue(parent, out var set))
                {
                    children[parent] = set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                }

                set.Add(tokens[i]);
            }
        }

        var clashes = children
            .Where(c => c.Value.Contains(GraphPathTemplate.Wildcard))
            .SelectMany(c => c.Value.Where(t => !GraphPathTemplate.IsWildcard(t) && OperationPathIndex.IsIdLike(t) && !t.Contains('(') && !t.Contains(':')).Select(t => c.Key + "/" + t))
            .ToList();
        var unlisted = clashes.Where(c => !OperationPathIndex.IdLikeLiterals.Contains(c[(c.LastIndexOf('/') + 1)..], StringComparer.OrdinalIgnoreCase)).ToList();

        Assert.That(children, Has.Count.GreaterThan(1000), "the whole catalog was walked");
        Assert.That(clashes, Is.Not.Empty, "the check finds the known ones");
        Assert.That(unlisted, Is.Empty);
    }

    private static RecordedOperation Recorded(string method, string path)
    {
        var found = GraphPermissionCatalog.Default.Find(method, path)!;
        return new RecordedOperation(found, found.PathTemplate);
    }
}
