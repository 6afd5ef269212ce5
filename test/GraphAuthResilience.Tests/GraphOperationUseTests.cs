using GraphAuthResilience.Permissions;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests;

/// <summary>One recorded operation as the report lists it: method, template, kind of token, least permissions, counts.</summary>
public class GraphOperationUseTests
{
    [Test]
    public void Report_RecordedCalls_OneUsePerOperationAndKindWithItsCounts()
    {
        var usage = new GraphPermissionUsage();
        var app = usage.TokenFor(UnsignedJwt.AppOnly().WithRoles("User.Read.All").Build());
        usage.Record("GET", new Uri("https://graph.microsoft.com/v1.0/users/6c5b4a39-0000-4000-8000-0000000000a1"), app);
        var refused = new Uri("https://graph.microsoft.com/v1.0/users/alice@contoso.com?$select=id");
        usage.Record("GET", refused, app);
        usage.RecordDenied("GET", refused, app);

        var use = usage.GetReport().Operations.Single();

        Assert.That(use.Method, Is.EqualTo("GET"));
        Assert.That(use.PathTemplate, Does.StartWith("/users/").And.Not.Contain("alice").And.Not.Contain("6c5b4a39"));
        Assert.That(use.Kind, Is.EqualTo(GraphPermissionKind.Application));
        Assert.That((use.Count, use.Denied), Is.EqualTo((2L, 1L)));
        Assert.That(use.LeastPermissions, Is.Not.Empty);
        Assert.That(use.ToString(), Is.EqualTo($"GET {use.PathTemplate} (application) x2"));
    }
}
