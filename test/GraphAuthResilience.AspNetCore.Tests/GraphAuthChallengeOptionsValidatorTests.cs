using GraphAuthResilience.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.AspNetCore.Tests;

/// <summary>A realm or authorization URI that cannot go into a header fails the app's start, naming the setting, not
/// each request; header-safe values (punycode hosts included) start.</summary>
public class GraphAuthChallengeOptionsValidatorTests
{
    [TestCase("contoso\r\nX-Injected: 1")]
    [TestCase("contoso\u0001")]
    [TestCase("contosö.example")]
    [TestCase("contoso\", authorization_uri=\"https://evil.example")]
    public void Realm_NotHeaderSafe_TheAppFailsToStartNamingIt(string realm)
    {
        var app = GraphAuthChallengeResponseTests.CreateApi(new EntraAnswers(), o => o.Realm = realm);

        var failure = Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.That(failure!.Message, Does.Contain("Realm"));
        Assert.That(async () => await app.DisposeAsync(), Throws.Nothing);
    }

    [TestCase("https://lögin.example/common/oauth2/authorize")]
    [TestCase("http://login.microsoftonline.com/common/oauth2/authorize")]
    public void AuthorizationUri_NotHeaderSafe_TheAppFailsToStartNamingIt(string uri)
    {
        var app = GraphAuthChallengeResponseTests.CreateApi(new EntraAnswers(), o => o.AuthorizationUri = new Uri(uri));

        var failure = Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.That(failure!.Message, Does.Contain("AuthorizationUri"));
        Assert.That(async () => await app.DisposeAsync(), Throws.Nothing);
    }

    [Test]
    public async Task HeaderSafeRealmAndPunycodeUri_Start()
    {
        await using var app = GraphAuthChallengeResponseTests.CreateApi(new EntraAnswers(), o =>
        {
            o.Realm = "contoso.onmicrosoft.com";
            o.AuthorizationUri = new Uri("https://xn--lgin-6qa.example/contoso.onmicrosoft.com/oauth2/authorize");
        });

        Assert.That(async () => await app.StartAsync(), Throws.Nothing);
    }

    [Test]
    public void AddGraphAuthChallenges_HttpAuthorizationUri_FailsAtStart()
    {
        var services = new ServiceCollection();
        services.AddGraphAuthChallenges(o => o.AuthorizationUri = new Uri("http://login.example/authorize"));
        using var provider = services.BuildServiceProvider();

        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            _ = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<GraphAuthChallengeOptions>>().Value);
    }

    [Test]
    public void AddGraphAuthChallenges_RealmWithAQuote_FailsAtStart()
    {
        var services = new ServiceCollection();
        services.AddGraphAuthChallenges(o => o.Realm = "contoso\", authorization_uri=\"https://evil.example");
        using var provider = services.BuildServiceProvider();

        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            _ = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<GraphAuthChallengeOptions>>().Value);
    }
}
