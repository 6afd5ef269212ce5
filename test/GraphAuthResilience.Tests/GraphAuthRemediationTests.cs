namespace GraphAuthResilience.Tests;

/// <summary>What to do about each cause, with Microsoft's docs, and about a Microsoft Entra ID error code found in a
/// message.</summary>
public class GraphAuthRemediationTests
{
    private static readonly GraphAuthFailureCause[] Causes = Enum.GetValues<GraphAuthFailureCause>();

    [Test]
    public void For_EveryCause_ItsOwnText()
    {
        var texts = Causes.Select(GraphAuthRemediation.For).ToList();

        Assert.That(texts, Is.All.Not.Empty);
        Assert.That(texts, Is.Unique, "no two causes share a remediation");
    }

    [Test]
    public void LinksFor_EveryCause_MicrosoftDocsOverHttps()
    {
        foreach (var cause in Causes)
        {
            var links = GraphAuthRemediation.LinksFor(cause);

            Assert.That(links, Is.Not.Empty, cause.ToString());
            Assert.That(links.Select(l => (l.Scheme, l.Host)), Is.All.EqualTo((Uri.UriSchemeHttps, "learn.microsoft.com")), cause.ToString());
        }
    }

    [TestCase(GraphAuthFailureCause.InsufficientPermissions, "permissions-reference")]
    [TestCase(GraphAuthFailureCause.UnsatisfiedClaimsChallenge, "claims-challenges")]
    [TestCase(GraphAuthFailureCause.TenantNotOnboarded, "admin-consent")]
    public void LinksFor_Cause_MostRelevantFirst(GraphAuthFailureCause cause, string firstLinkSays)
    {
        Assert.That(GraphAuthRemediation.LinksFor(cause)[0].ToString(), Does.Contain(firstLinkSays));
    }

    [TestCase("AADSTS7000215: Invalid client secret provided. Trace ID: 1", "AADSTS7000215")]
    [TestCase("error AADSTS50105 for the user", "AADSTS50105")]
    [TestCase("AADSTS12 then AADSTS65001", "AADSTS65001")]
    [TestCase("AADSTS123456789", null)]
    [TestCase("no code here", null)]
    [TestCase(null, null)]
    public void FindAadstsCode_Text_FirstCodeOfFourToEightDigits(string? text, string? code)
    {
        Assert.That(GraphAuthRemediation.FindAadstsCode(text), Is.EqualTo(code));
    }

    [Test]
    public void FindAadstsCode_CodeBeyondTheSearchedPrefix_NotFound()
    {
        Assert.That(GraphAuthRemediation.FindAadstsCode(new string(' ', 5000) + "AADSTS7000215"), Is.Null);
    }

    [Test]
    public void ForAadsts_KnownAndUnknownCodes()
    {
        Assert.That(GraphAuthRemediation.ForAadsts("AADSTS7000215"), Does.Contain("secret"));
        Assert.That(GraphAuthRemediation.ForAadsts("AADSTS50105"), Does.Contain("assign"));
        Assert.That(GraphAuthRemediation.ForAadsts("AADSTS99999999"), Is.Null);
        Assert.That(GraphAuthRemediation.ForAadsts(null), Is.Null);
    }
}
