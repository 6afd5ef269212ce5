using GraphAuthResilience.WebApi.Fakes;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Graph;
using Microsoft.Identity.Web;

// A web API that authenticates its caller and calls Microsoft Graph on the caller's behalf through the chain.
//   dotnet run --project samples/GraphAuthResilience.WebApi          (fakes: no tenant, no network)
//   GraphAuthResilience__Mode=Tenant dotnet run --project ...         (a real tenant: the AzureAd section, see README.md)
var builder = WebApplication.CreateBuilder(args);

builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
    .AddMicrosoftIdentityWebApi(builder.Configuration.GetSection("AzureAd"))
    .EnableTokenAcquisitionToCallDownstreamApi()
    .AddInMemoryTokenCaches();
builder.Services.AddAuthorization();

// The chain: Graph calls on behalf of the caller through Identity.Web, and the caller's claims challenge.
builder.Services.AddHttpClient("graph").AddGraphAuthHandlersForIdentityWeb();
builder.Services.AddGraphAuthChallenges();

var fakes = FakeTenant.IsEnabled(builder.Configuration) ? FakeTenant.AddTo(builder, "graph") : null;

var app = builder.Build();
app.UseExceptionHandler();
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/me", async (IHttpClientFactory factory, CancellationToken cancellationToken) =>
{
    var me = await new GraphServiceClient(factory.CreateClient("graph")).Me.GetAsync(cancellationToken: cancellationToken);
    return Results.Ok(new { me?.Id, me?.DisplayName });
}).RequireAuthorization();

if (fakes is not null)
{
    // What the caller's MSAL would get from Entra ID: an access token for this API (fakes only).
    app.MapGet("/fake/caller-token/{user}", (string user) =>
        FakeUser.Find(user) is { } caller ? Results.Text(fakes.CallerToken(caller)) : Results.NotFound());
    app.Lifetime.ApplicationStarted.Register(() => PrintHowToCall(app));
}

app.Run();

static void PrintHowToCall(WebApplication app)
{
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
        ?? "http://localhost:5080";
    Console.WriteLine($"""

        GraphAuthResilience.WebApi runs against fakes (no tenant, no network) on {address}. Call it as one of three users:
          token=$(curl -s {address}/fake/caller-token/adele); curl -i -H "Authorization: Bearer $token" {address}/me
              200 {"{"}"id":"...","displayName":"Adele Vance"{"}"}: Graph called on Adele's behalf through the chain
          token=$(curl -s {address}/fake/caller-token/megan); curl -i -H "Authorization: Bearer $token" {address}/me
              401 WWW-Authenticate: Bearer ... error="insufficient_claims", claims="...": Megan must pass MFA
          token=$(curl -s {address}/fake/caller-token/lee); curl -i -H "Authorization: Bearer $token" {address}/me
              401 WWW-Authenticate: Bearer ... error="consent_required": nobody consented to the API's Graph permissions
        Against a real tenant: GraphAuthResilience__Mode=Tenant and the AzureAd section (samples/GraphAuthResilience.WebApi/README.md).

        """);
}

/// <summary>The entry point, visible to the integration test (WebApplicationFactory).</summary>
public partial class Program;
