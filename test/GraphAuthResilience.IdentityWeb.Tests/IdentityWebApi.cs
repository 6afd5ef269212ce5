using System.Net.Http.Headers;
using GraphAuthResilience.WebApi.Fakes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using GraphAuthResilience.Testing;
using Microsoft.Graph;
using Microsoft.Identity.Client;
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
    private IdentityWebApi(WebApplication app, FakeTenant tenant, TokenEndpointRecorder tokenEndpoints)
    {
        TokenEndpoints = tokenEndpoints;
        App = app;
        Tenant = tenant;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public FakeTenant Tenant { get; }

    public HttpClient Client { get; }

    /// <summary>Gets the token endpoints Identity.Web's MSAL posted to, in order.</summary>
    public TokenEndpointRecorder TokenEndpoints { get; }

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
        var tokenEndpoints = new TokenEndpointRecorder(tenant.Entra);
        builder.Services.AddSingleton<IMsalHttpClientFactory>(tokenEndpoints); // the last registration is the one Identity.Web takes

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/me", async (IHttpClientFactory factory) =>
            (await new GraphServiceClient(factory.CreateClient("graph")).Me.GetAsync())!.DisplayName).RequireAuthorization();
        app.MapGet("/app/users/{id}", async (string id, IHttpClientFactory factory) =>
            (await new GraphServiceClient(factory.CreateClient("graph-app")).Users[id].GetAsync())!.DisplayName).RequireAuthorization();
        app.MapGet("/{kind}/tenants/{customer}/token", async (string kind, string customer, CancellationToken cancellationToken) =>
        {
            // The source on its own, as the chain calls it: a request for the customer's tenant (GraphTokenRequest.TenantId).
            var source = kind == "app" ? IdentityWebTokenSource.ForApp(app.Services) : IdentityWebTokenSource.OnBehalfOfCaller(app.Services);
            var token = await source.GetTokenAsync(new GraphTokenRequest([FakeEntraTokenEndpoint.Scope]) { TenantId = customer }, cancellationToken);
            return token.Value.Length > 0;
        }).RequireAuthorization();
        await app.StartAsync();
        return new IdentityWebApi(app, tenant, tokenEndpoints);
    }

    public async Task<HttpResponseMessage> CallAsync(string path, string callerToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", callerToken);
        return await Client.SendAsync(request);
    }

    public IEnumerable<Testing.FakeEntraTokenRequest> OnBehalfOfRequests =>
        Tenant.Entra.Requests.Where(r => r.GrantType == FakeTenant.OnBehalfOfGrant);

    /// <summary>Identity.Web's MSAL HTTP client: records the URL of each token POST and hands the request to the fake endpoint.</summary>
    internal sealed class TokenEndpointRecorder(HttpMessageHandler endpoint) : DelegatingHandler(endpoint), IMsalHttpClientFactory
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<Uri> _posts = new();

        public IReadOnlyList<Uri> Posts => [.. _posts];

        public HttpClient GetHttpClient() => new(this, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post)
            {
                _posts.Enqueue(request.RequestUri!);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}
