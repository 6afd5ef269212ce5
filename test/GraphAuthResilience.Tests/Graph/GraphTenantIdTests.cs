using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Tests.Graph;

/// <summary>A per-request tenant is a directory id (GUID) or a domain name, in canonical form; nothing else.</summary>
public class GraphTenantIdTests
{
    [TestCase("72F988BF-86F1-41AF-91AB-2D7CD011DB47", "72f988bf-86f1-41af-91ab-2d7cd011db47")]
    [TestCase("72f988bf-86f1-41af-91ab-2d7cd011db47", "72f988bf-86f1-41af-91ab-2d7cd011db47")]
    [TestCase("Contoso.OnMicrosoft.com", "contoso.onmicrosoft.com")]
    [TestCase("fabrikam-eu.example.co.uk", "fabrikam-eu.example.co.uk")]
    public void TryNormalize_GuidOrDomain_CanonicalForm(string value, string expected)
    {
        Assert.That(GraphTenantId.TryNormalize(value, out var tenantId), Is.True);
        Assert.That(tenantId, Is.EqualTo(expected));
    }

    [TestCase("72f988bf-86f1-41af-91ab-2d7cd011db47")]
    [TestCase("contoso.onmicrosoft.com")]
    public void TryNormalize_AlreadyCanonical_TheSameStringBack(string value)
    {
        Assert.That(GraphTenantId.TryNormalize(value, out var tenantId), Is.True);
        Assert.That(tenantId, Is.SameAs(value), "no copy per request");
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("common")]
    [TestCase("organizations")]
    [TestCase("consumers")]
    [TestCase("72f988bf86f141af91ab2d7cd011db47")]
    [TestCase("{72f988bf-86f1-41af-91ab-2d7cd011db47}")]
    [TestCase("https://login.microsoftonline.com/contoso.com")]
    [TestCase("contoso.com/oauth2")]
    [TestCase("10.0.0.1")]
    [TestCase("-contoso.com")]
    [TestCase("contoso-.com")]
    [TestCase("contoso..com")]
    [TestCase("contoso.com.")]
    [TestCase("72f988bf-86f1-41af-91ab-2d7cd011db4g")]
    [TestCase("72f988bf-86f1-41af-91ab-2d7cd011-b47")]
    [TestCase("72f988bf486f1-41af-91ab-2d7cd011db47")]
    [TestCase("cont oso.com")]
    [TestCase("contöso.com")]
    public void TryNormalize_NotATenant_Refused(string? value)
    {
        Assert.That(GraphTenantId.TryNormalize(value, out var tenantId), Is.False);
        Assert.That(tenantId, Is.Empty);
    }

    [Test]
    public void TryNormalize_LabelOrNameTooLong_Refused()
    {
        Assert.That(GraphTenantId.TryNormalize(new string('a', 64) + ".com", out _), Is.False);
        Assert.That(GraphTenantId.TryNormalize(new string('a', 63) + ".com", out _), Is.True);
        var longName = string.Join('.', Enumerable.Repeat(new string('a', 60), 5)) + ".com";
        Assert.That(longName.Length, Is.GreaterThan(253));
        Assert.That(GraphTenantId.TryNormalize(longName, out _), Is.False);
    }
}
