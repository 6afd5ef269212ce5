using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using GraphAuthResilience.WebApi.Fakes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.IdentityWeb.Tests;

/// <summary>The web API sample (samples/GraphAuthResilience.WebApi) as <c>dotnet run</c> starts it, on the test host:
/// each caller gets what the sample's README and start-up text say.</summary>
public class WebApiSampleTests
{
    [Test]
    public async Task FakesMode_EachCaller_GetsWhatTheSampleSays()
    {
        await using var factory = new WebApplicationFactory<Program>();
        using var client = factory.CreateClient();

        using var adele = await CallMeAsync(client, "adele");
        Assert.That(adele.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var profile = JsonDocument.Parse(await adele.Content.ReadAsStringAsync()))
        {
            Assert.That(profile.RootElement.GetProperty("displayName").GetString(), Is.EqualTo("Adele Vance"));
            Assert.That(profile.RootElement.GetProperty("id").GetString(), Is.EqualTo(FakeUser.Find("adele")!.ObjectId));
        }

        using var megan = await CallMeAsync(client, "megan");
        Assert.That(megan.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var mfa = WwwAuthenticateParameters.CreateFromAuthenticationHeaders(megan.Headers, "Bearer");
        Assert.That(mfa.Error, Is.EqualTo("insufficient_claims"));
        Assert.That(mfa.Claims, Is.EqualTo(FakeTenant.MfaClaims));

        using var lee = await CallMeAsync(client, "lee");
        Assert.That(lee.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(WwwAuthenticateParameters.CreateFromAuthenticationHeaders(lee.Headers, "Bearer").Error, Is.EqualTo("consent_required"));
    }

    [Test]
    public async Task FakesMode_NoCallerToken_RejectedBeforeGraphIsCalled()
    {
        await using var factory = new WebApplicationFactory<Program>();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/me");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.Single().ToString(), Is.EqualTo("Bearer"), "JWT bearer's own challenge, not a Graph claims challenge");
    }

    [Test]
    public async Task TenantMode_ServesNoFakeCallerTokens()
    {
        await using var factory = new WebApplicationFactory<Program>()
            .WithWebHostBuilder(b => b.UseSetting("GraphAuthResilience:Mode", "Tenant"));
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/fake/caller-token/adele");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    private static async Task<HttpResponseMessage> CallMeAsync(HttpClient client, string user)
    {
        var token = await client.GetStringAsync($"/fake/caller-token/{user}");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }
}
