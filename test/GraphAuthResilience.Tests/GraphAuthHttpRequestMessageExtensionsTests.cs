namespace GraphAuthResilience.Tests;

/// <summary>Per-request scopes and tenant: set, read back in canonical form, bad input refused with a clear error.</summary>
public class GraphAuthHttpRequestMessageExtensionsTests
{
    [Test]
    public void SetGraphScopes_Scopes_ReadBackAndTheSameRequestReturned()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/me");

        var returned = request.SetGraphScopes("https://graph.microsoft.com/Mail.Read", "https://graph.microsoft.com/User.Read");

        Assert.That(returned, Is.SameAs(request));
        Assert.That(request.GetGraphScopes(), Is.EqualTo(new[] { "https://graph.microsoft.com/Mail.Read", "https://graph.microsoft.com/User.Read" }));
    }

    [Test]
    public void SetGraphScopes_SetAgain_TheLastWins()
    {
        using var request = new HttpRequestMessage();

        request.SetGraphScopes("a/.default").SetGraphScopes(new List<string> { "b/.default" });

        Assert.That(request.GetGraphScopes(), Is.EqualTo(new[] { "b/.default" }));
    }

    [Test]
    public void GetGraphScopes_NothingSet_Null()
    {
        using var request = new HttpRequestMessage();

        Assert.That(request.GetGraphScopes(), Is.Null);
        Assert.That(request.GetGraphTenant(), Is.Null);
    }

    [Test]
    public void SetGraphScopes_ListChangedAfterwards_RequestKeepsWhatWasSet()
    {
        using var request = new HttpRequestMessage();
        var scopes = new List<string> { "https://graph.microsoft.com/.default" };

        request.SetGraphScopes(scopes);
        scopes[0] = "https://evil.example/.default";

        Assert.That(request.GetGraphScopes(), Is.EqualTo(new[] { "https://graph.microsoft.com/.default" }));
    }

    [TestCase]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("User.Read Mail.Read")]
    [TestCase("User.Read", "Mail.Read\t")]
    public void SetGraphScopes_BadScopes_ArgumentExceptionNamingScopes(params string[] scopes)
    {
        using var request = new HttpRequestMessage();

        var ex = Assert.Throws<ArgumentException>(() => request.SetGraphScopes(scopes));

        Assert.That(ex!.ParamName, Is.EqualTo("scopes"));
        Assert.That(request.GetGraphScopes(), Is.Null, "nothing set");
    }

    [Test]
    public void SetGraphScopesAndTenant_NullArguments_ArgumentNullException()
    {
        using var request = new HttpRequestMessage();

        Assert.Throws<ArgumentNullException>(() => GraphAuthHttpRequestMessageExtensions.SetGraphScopes(null!, "a"));
        Assert.Throws<ArgumentNullException>(() => request.SetGraphScopes((IEnumerable<string>)null!));
        Assert.Throws<ArgumentNullException>(() => GraphAuthHttpRequestMessageExtensions.SetGraphTenant(null!, "contoso.com"));
        Assert.Throws<ArgumentNullException>(() => request.SetGraphTenant(null!));
        Assert.Throws<ArgumentNullException>(() => GraphAuthHttpRequestMessageExtensions.GetGraphScopes(null!));
        Assert.Throws<ArgumentNullException>(() => GraphAuthHttpRequestMessageExtensions.GetGraphTenant(null!));
    }

    [TestCase("Contoso.OnMicrosoft.com", "contoso.onmicrosoft.com")]
    [TestCase("72F988BF-86F1-41AF-91AB-2D7CD011DB47", "72f988bf-86f1-41af-91ab-2d7cd011db47")]
    public void SetGraphTenant_Tenant_ReadBackInCanonicalForm(string tenant, string expected)
    {
        using var request = new HttpRequestMessage();

        Assert.That(request.SetGraphTenant(tenant), Is.SameAs(request));
        Assert.That(request.GetGraphTenant(), Is.EqualTo(expected));
    }

    [TestCase("common")]
    [TestCase("organizations")]
    [TestCase("https://login.microsoftonline.com/contoso.com")]
    [TestCase("contoso .com")]
    public void SetGraphTenant_NoSingleTenant_ArgumentExceptionNamingTenantId(string tenant)
    {
        using var request = new HttpRequestMessage();

        var ex = Assert.Throws<ArgumentException>(() => request.SetGraphTenant(tenant));

        Assert.That(ex!.ParamName, Is.EqualTo("tenantId"));
        Assert.That(ex.Message, Does.Contain("GUID").And.Contain("domain name"));
        Assert.That(request.GetGraphTenant(), Is.Null);
    }
}
