using System.Net;
using System.Text;
using System.Text.Json;
using GraphAuthResilience.AspNetCore;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.AspNetCore.Tests;

/// <summary>
/// The caller's challenge stays readable: claims above <see cref="GraphAuthChallengeOptions.MaxChallengeClaimsBytes"/>
/// are not echoed (the caller gets <c>interaction_required</c> and a problem body saying why), and a realm or
/// authorization URI that cannot go into a header fails the app's start, not each request.
/// </summary>
public class GraphAuthChallengeBoundsTests
{
    [Test]
    public async Task HugeClaims_DefaultHttpClientOverKestrel_Reads401InteractionRequiredAndTheReason()
    {
        var claims = HugeClaims(64 * 1024);
        var entra = new EntraAnswers();
        entra.EnqueueOnBehalfOf(() => EntraAnswers.MfaRequired(claims));
        await using var app = await GraphAuthChallengeTests.StartApiAsync(entra, kestrel: true);
        var caller = GraphAuthChallengeTests.CreateCaller(entra);
        var signIn = await ((IByRefreshToken)caller).AcquireTokenByRefreshToken([EntraAnswers.ApiScope], "rt-initial").ExecuteAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        using var response = await GraphAuthChallengeTests.CallAsync(http, "/profile", signIn.AccessToken);

        var parameters = WwwAuthenticateParameters.CreateFromAuthenticationHeaders(response.Headers, "Bearer");
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(parameters.Error, Is.EqualTo("interaction_required"));
            Assert.That(parameters.Claims, Is.Null, "claims above the bound are not echoed");
            Assert.That(response.Headers.WwwAuthenticate.ToString().Length, Is.LessThan(1024));
            Assert.That(problem, Does.Contain("not echoed").And.Contain(GraphAuthChallengeOptions.MaxChallengeClaimsBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(problem, Does.Not.Contain("capolids"), "no claims in the body either");
        });
    }

    [Test]
    public async Task ClaimsAtTheBound_StillEchoedWhole()
    {
        var claims = HugeClaims(GraphAuthChallengeOptions.MaxChallengeClaimsBytes);
        var entra = new EntraAnswers();
        entra.EnqueueOnBehalfOf(() => EntraAnswers.MfaRequired(claims));
        await using var app = await GraphAuthChallengeTests.StartApiAsync(entra);
        var caller = GraphAuthChallengeTests.CreateCaller(entra);
        var signIn = await ((IByRefreshToken)caller).AcquireTokenByRefreshToken([EntraAnswers.ApiScope], "rt-initial").ExecuteAsync();

        using var response = await GraphAuthChallengeTests.CallAsync(app.GetTestClient(), "/profile", signIn.AccessToken);

        var parameters = WwwAuthenticateParameters.CreateFromAuthenticationHeaders(response.Headers, "Bearer");
        Assert.That(Encoding.UTF8.GetByteCount(claims), Is.EqualTo(GraphAuthChallengeOptions.MaxChallengeClaimsBytes));
        Assert.That(parameters.Claims, Is.EqualTo(claims));
    }

    [TestCase("contoso\r\nX-Injected: 1")]
    [TestCase("contoso\u0001")]
    [TestCase("contosö.example")]
    [TestCase("contoso\", authorization_uri=\"https://evil.example")]
    public void Realm_NotHeaderSafe_TheAppFailsToStartNamingIt(string realm)
    {
        var app = GraphAuthChallengeTests.CreateApi(new EntraAnswers(), o => o.Realm = realm);

        var failure = Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.That(failure!.Message, Does.Contain("Realm"));
        Assert.That(async () => await app.DisposeAsync(), Throws.Nothing);
    }

    [TestCase("https://lögin.example/common/oauth2/authorize")]
    [TestCase("http://login.microsoftonline.com/common/oauth2/authorize")]
    public void AuthorizationUri_NotHeaderSafe_TheAppFailsToStartNamingIt(string uri)
    {
        var app = GraphAuthChallengeTests.CreateApi(new EntraAnswers(), o => o.AuthorizationUri = new Uri(uri));

        var failure = Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.That(failure!.Message, Does.Contain("AuthorizationUri"));
        Assert.That(async () => await app.DisposeAsync(), Throws.Nothing);
    }

    [Test]
    public async Task HeaderSafeRealmAndPunycodeUri_Start()
    {
        await using var app = GraphAuthChallengeTests.CreateApi(new EntraAnswers(), o =>
        {
            o.Realm = "contoso.onmicrosoft.com";
            o.AuthorizationUri = new Uri("https://xn--lgin-6qa.example/contoso.onmicrosoft.com/oauth2/authorize");
        });

        Assert.That(async () => await app.StartAsync(), Throws.Nothing);
    }

    /// <summary>Claims JSON of exactly <paramref name="bytes"/> UTF-8 bytes (a long list of policy ids).</summary>
    private static string HugeClaims(int bytes)
    {
        const string Head = "{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"";
        const string Tail = "\"]}}}";
        var filler = new StringBuilder(Head);
        while (filler.Length + Tail.Length < bytes)
        {
            filler.Append('a');
        }

        var json = filler.Append(Tail).ToString();
        using var _ = JsonDocument.Parse(json);
        return json;
    }
}
