using System.Net.Http.Headers;
using GraphAuthResilience.WebApi.Fakes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Graph;
using Microsoft.Identity.Web;

namespace GraphAuthResilience.IdentityWeb.Tests;

/// <summary>
/// A real ASP.NET Core web API on the test host, configured as an Identity.Web app is (in-memory configuration with a
/// client secret, <c>AddMicrosoftIdentityWebApi(...).EnableTokenAcquisitionToCallDownstreamApi()</c>), JWT bearer for
/// its callers (tokens signed by the fake tenant's test key), and the chain added with one line per Graph client:
/// <c>/me</c> on behalf of the caller, <c>/app/users/{id}</c> app-only. Identity.Web's own MSAL talks to the Testing
/// package's fake token endpoint through the <c>IMsalHttpClientFactory</c> Identity.Web takes from DI.
/// </summary>
internal sealed class IdentityWebApi : IAsyncDisposable
{
    private IdentityWebApi(WebApplication app, FakeTenant tenant)
    {
        App = app;
        Tenant = tenant;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public FakeTenant Tenant { get; }

    public HttpClient Client { get; }

    public static async Task<IdentityWebApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddMicrosoftIdentityWebApi(builder.Configuration.GetSection("AzureAd"))
            .EnableTokenAcquisitionToCallDownstreamApi()
            .AddInMemoryTokenCaches();
        builder.Services.AddAuthorization();
        builder.Services.AddHttpClient("graph").AddGraphAuthHandlersForIdentityWeb();
        builder.Services.AddHttpClient("graph-app").AddGraphAuthHandlersForIdentityWeb(o => o.AppOnly = true);
        builder.Services.AddGraphAuthChallenges();

        var tenant = FakeTenant.AddTo(builder, "graph");
        builder.Services.AddHttpClient("graph-app").ConfigurePrimaryHttpMessageHandler(() => tenant.Graph);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/me", async (IHttpClientFactory factory) =>
            (await new GraphServiceClient(factory.CreateClient("graph")).Me.GetAsync())!.DisplayName).RequireAuthorization();
        app.MapGet("/app/users/{id}", async (string id, IHttpClientFactory factory) =>
            (await new GraphServiceClient(factory.CreateClient("graph-app")).Users[id].GetAsync())!.DisplayName).RequireAuthorization();
        await app.StartAsync();
        return new IdentityWebApi(app, tenant);
    }

    public async Task<HttpResponseMessage> CallAsync(string path, string callerToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", callerToken);
        return await Client.SendAsync(request);
    }

    public IEnumerable<Testing.FakeEntraTokenRequest> OnBehalfOfRequests =>
        Tenant.Entra.Requests.Where(r => r.GrantType == FakeTenant.OnBehalfOfGrant);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}
