using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using GraphAuthResilience.AspNetCore;
using GraphAuthResilience.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Graph;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.AspNetCore.Tests;

/// <summary>
/// The answer a web API gives its caller when calling Graph on the caller's behalf needs the caller, written by the
/// exception handler (<c>/profile</c>) or the endpoint filter (<c>/filtered/profile</c>): a real ASP.NET Core web API
/// (test host) calling a fake Graph through the chain, with a real MSAL confidential client for on-behalf-of; on the
/// other side, a real MSAL public client that reads the API's 401 challenge with <see cref="WwwAuthenticateParameters"/>
/// and retries with the claims. The caller's challenge stays readable: claims above
/// <see cref="GraphAuthChallengeOptions.MaxChallengeClaimsBytes"/> are not echoed (the caller gets
/// <c>interaction_required</c> and a problem body saying why).
/// </summary>
public class GraphAuthChallengeResponseTests
{
    private const string MfaClaims = """{"access_token":{"capolids":{"essential":true,"values":["5e8a9f2c-0000-4000-8000-0000000000c1"]}}}""";
    private const string UserJson = """{"id":"6c5b4a39-0000-4000-8000-0000000000a1","displayName":"Adele"}""";

    internal static async Task<WebApplication> StartApiAsync(EntraAnswers entra, Action<GraphAuthChallengeOptions>? configure = null, bool kestrel = false)
    {
        var app = CreateApi(entra, configure, kestrel);
        await app.StartAsync();
        return app;
    }

    /// <summary>The API, not started: on the test server, or on Kestrel at a free loopback port (for a real HttpClient).</summary>
    internal static WebApplication CreateApi(EntraAnswers entra, Action<GraphAuthChallengeOptions>? configure = null, bool kestrel = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (kestrel)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        var api = ConfidentialClientApplicationBuilder.Create("bbbbbbbb-0000-4000-8000-0000000000b1")
            .WithAuthority($"https://login.microsoftonline.com/{FakeEntraTokenEndpoint.Tenant}/")
            .WithClientSecret("api-secret-never-logged-0123456789")
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(entra.Endpoint, retryOnceOn5xx: false)
            .Build();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<IGraphTokenSource>(sp =>
        {
            var accessor = sp.GetRequiredService<IHttpContextAccessor>();
            return MsalTokenSource.OnBehalfOf(api, _ => ValueTask.FromResult(
                AuthenticationHeaderValue.Parse(accessor.HttpContext!.Request.Headers.Authorization.ToString()).Parameter!));
        });
        builder.Services.AddHttpClient("graph")
            .AddGraphAuthHandlers(o =>
            {
                o.Scopes.Clear();
                o.Scopes.Add("https://graph.microsoft.com/User.Read");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new FakeGraph { Respond = (request, _) => GraphResponses.Ok(UserJson, request) });
        builder.Services.AddGraphAuthChallenges(configure);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.MapGet("/profile", async (IHttpClientFactory factory) =>
            (await new GraphServiceClient(factory.CreateClient("graph")).Me.GetAsync())!.DisplayName);
        app.MapGet("/filtered/profile", async (IHttpClientFactory factory) =>
            (await new GraphServiceClient(factory.CreateClient("graph")).Me.GetAsync())!.DisplayName).WithGraphAuthChallenges();
        return app;
    }

    internal static IPublicClientApplication CreateCaller(EntraAnswers entra) =>
        PublicClientApplicationBuilder.Create("cccccccc-0000-4000-8000-0000000000c1")
            .WithAuthority($"https://login.microsoftonline.com/{FakeEntraTokenEndpoint.Tenant}/")
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(entra.Endpoint, retryOnceOn5xx: false)
            .WithClientCapabilities(["cp1"])
            .Build();

    internal static async Task<HttpResponseMessage> CallAsync(HttpClient client, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    [TestCase("/profile")]
    [TestCase("/filtered/profile")]
    public async Task OnBehalfOfNeedsMfa_CallerGets401ClaimsChallengeAndSucceedsAfterRetryingWithTheClaims(string path)
    {
        var entra = new EntraAnswers();
        entra.EnqueueOnBehalfOf(() => EntraAnswers.MfaRequired(MfaClaims));
        await using var app = await StartApiAsync(entra);
        var client = app.GetTestClient();
        var caller = CreateCaller(entra);
        var signIn = await ((IByRefreshToken)caller).AcquireTokenByRefreshToken([EntraAnswers.ApiScope], "rt-initial").ExecuteAsync();
        var account = (await caller.GetAccountsAsync()).Single();

        var first = await CallAsync(client, path, signIn.AccessToken);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var header = first.Headers.WwwAuthenticate.Single();
        Assert.That(header.Scheme, Is.EqualTo("Bearer"));
        Assert.That(header.ToString(), Is.EqualTo(
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", error=\"insufficient_claims\", claims=\""
            + Convert.ToBase64String(Encoding.UTF8.GetBytes(MfaClaims)) + "\""));
        var parameters = WwwAuthenticateParameters.CreateFromAuthenticationHeaders(first.Headers, "Bearer");
        Assert.That(parameters.Error, Is.EqualTo("insufficient_claims"));
        Assert.That(parameters.Claims, Is.EqualTo(MfaClaims), "MSAL decodes the base64 claims back to the JSON on-behalf-of needed");
        Assert.That(parameters.Authority, Does.StartWith("https://login.microsoftonline.com/common"), "MSAL reads the authority off authorization_uri");
        Assert.That(first.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = await first.Content.ReadAsStringAsync();
        Assert.That(problem, Does.Contain("InteractionRequired").And.Not.Contain(signIn.AccessToken).And.Not.Contain("capolids").And.Not.Contain("Trace ID"));

        // The caller meets the challenge with its own MSAL: a new token for the API carrying the claims.
        var renewed = await caller.AcquireTokenSilent([EntraAnswers.ApiScope], account).WithClaims(parameters.Claims).ExecuteAsync();
        var second = await CallAsync(client, path, renewed.AccessToken);

        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await second.Content.ReadAsStringAsync(), Is.EqualTo("Adele"));
        using var sentClaims = JsonDocument.Parse(entra.CallerRequests.Last().Claims!);
        var accessToken = sentClaims.RootElement.GetProperty("access_token");
        Assert.That(accessToken.GetProperty("capolids").GetProperty("values")[0].GetString(), Is.EqualTo("5e8a9f2c-0000-4000-8000-0000000000c1"));
        Assert.That(accessToken.GetProperty("xms_cc").GetProperty("values")[0].GetString(), Is.EqualTo("cp1"));
        Assert.That(renewed.AccessToken, Is.Not.EqualTo(signIn.AccessToken));
        Assert.That(entra.OnBehalfOfRequests.Select(r => r.Form["assertion"]), Is.EqualTo(new[] { signIn.AccessToken, renewed.AccessToken }));
    }

    [Test]
    public async Task OnBehalfOfConsentMissing_CallerGets401WithConsentRequiredAndNoClaims()
    {
        var entra = new EntraAnswers();
        entra.EnqueueOnBehalfOf(EntraAnswers.ConsentMissing);
        await using var app = await StartApiAsync(entra, o =>
        {
            o.Realm = FakeEntraTokenEndpoint.Tenant;
            o.AuthorizationUri = new Uri($"https://login.microsoftonline.com/{FakeEntraTokenEndpoint.Tenant}/oauth2/authorize");
        });
        var caller = CreateCaller(entra);
        var signIn = await ((IByRefreshToken)caller).AcquireTokenByRefreshToken([EntraAnswers.ApiScope], "rt-initial").ExecuteAsync();

        var response = await CallAsync(app.GetTestClient(), "/profile", signIn.AccessToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var parameters = WwwAuthenticateParameters.CreateFromAuthenticationHeaders(response.Headers, "Bearer");
        Assert.That(parameters.Error, Is.EqualTo("consent_required"));
        Assert.That(parameters.Claims, Is.Null);
        Assert.That(parameters.GetTenantId(), Is.EqualTo(FakeEntraTokenEndpoint.Tenant));
        Assert.That(response.Headers.WwwAuthenticate.Single().ToString(), Does.StartWith($"Bearer realm=\"{FakeEntraTokenEndpoint.Tenant}\""));
    }

    [Test]
    public async Task OtherFailures_AreNotTurnedIntoAChallenge()
    {
        var entra = new EntraAnswers();
        entra.EnqueueOnBehalfOf(() => new HttpResponseMessage(HttpStatusCode.Unauthorized)
        {
            Content = new StringContent("""{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}""", Encoding.UTF8, "application/json"),
        });
        await using var app = await StartApiAsync(entra);
        var caller = CreateCaller(entra);
        var signIn = await ((IByRefreshToken)caller).AcquireTokenByRefreshToken([EntraAnswers.ApiScope], "rt-initial").ExecuteAsync();

        var response = await CallAsync(app.GetTestClient(), "/profile", signIn.AccessToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError), "the API's own misconfiguration is not the caller's to fix");
        Assert.That(response.Headers.WwwAuthenticate, Is.Empty);
    }

    [Test]
    public async Task HugeClaims_DefaultHttpClientOverKestrel_Reads401InteractionRequiredAndTheReason()
    {
        var claims = HugeClaims(64 * 1024);
        var entra = new EntraAnswers();
        entra.EnqueueOnBehalfOf(() => EntraAnswers.MfaRequired(claims));
        await using var app = await GraphAuthChallengeResponseTests.StartApiAsync(entra, kestrel: true);
        var caller = GraphAuthChallengeResponseTests.CreateCaller(entra);
        var signIn = await ((IByRefreshToken)caller).AcquireTokenByRefreshToken([EntraAnswers.ApiScope], "rt-initial").ExecuteAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        using var response = await GraphAuthChallengeResponseTests.CallAsync(http, "/profile", signIn.AccessToken);

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
        await using var app = await GraphAuthChallengeResponseTests.StartApiAsync(entra);
        var caller = GraphAuthChallengeResponseTests.CreateCaller(entra);
        var signIn = await ((IByRefreshToken)caller).AcquireTokenByRefreshToken([EntraAnswers.ApiScope], "rt-initial").ExecuteAsync();

        using var response = await GraphAuthChallengeResponseTests.CallAsync(app.GetTestClient(), "/profile", signIn.AccessToken);

        var parameters = WwwAuthenticateParameters.CreateFromAuthenticationHeaders(response.Headers, "Bearer");
        Assert.That(Encoding.UTF8.GetByteCount(claims), Is.EqualTo(GraphAuthChallengeOptions.MaxChallengeClaimsBytes));
        Assert.That(parameters.Claims, Is.EqualTo(claims));
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
