using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Text.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using GraphAuthResilience.Testing;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Identity.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace GraphAuthResilience.WebApi.Fakes;

/// <summary>
/// Everything the web API needs to run with no tenant and no network, changing nothing in the app's own
/// Identity.Web and chain registration: Identity.Web's configuration (in memory), the Testing package's fake token
/// endpoint as Identity.Web's MSAL HTTP client (<see cref="IMsalHttpClientFactory"/> in DI), a signing key that
/// stands in for Entra ID's keys when the API validates its callers' tokens, and a fake Graph behind the chain.
/// </summary>
public sealed class FakeTenant
{
    /// <summary>The web API's application (client) id in the fake tenant: the audience of its callers' tokens.</summary>
    public const string ApiClientId = "bbbbbbbb-0000-4000-8000-0000000000b1";

    /// <summary>The issuer of the callers' tokens (Entra ID's v2.0 issuer for the fake tenant).</summary>
    public const string Issuer = "https://login.microsoftonline.com/" + FakeEntraTokenEndpoint.Tenant + "/v2.0";

    /// <summary>The on-behalf-of grant type.</summary>
    public const string OnBehalfOfGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    /// <summary>The claims Entra ID asks a caller to meet (an MFA conditional access policy) in <see cref="FakeOnBehalfOf.MfaRequired"/>.</summary>
    public const string MfaClaims = """{"access_token":{"capolids":{"essential":true,"values":["5e8a9f2c-0000-4000-8000-0000000000c1"]}}}""";

    private readonly SymmetricSecurityKey _signingKey = new(RandomNumberGenerator.GetBytes(32)) { KeyId = "fake-tenant-key" };
    private readonly ConcurrentDictionary<string, FakeUser> _graphTokens = new(StringComparer.Ordinal);
    private int _issued;

    private FakeTenant()
    {
        Entra = new FakeEntraTokenEndpoint { AnswersInstanceDiscovery = true };
        Entra.DefaultAnswer = Answer;
        Graph.RequiresToken = true;
        Graph.When("/v1.0/me", (request, _) => _graphTokens.TryGetValue(request.Headers.Authorization?.Parameter ?? string.Empty, out var user)
            ? GraphResponses.Ok(JsonSerializer.Serialize(new { id = user.ObjectId, displayName = user.DisplayName }), request)
            : GraphResponses.Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.", request: request));
    }

    /// <summary>Gets the fake token endpoint Identity.Web's MSAL talks to.</summary>
    public FakeEntraTokenEndpoint Entra { get; }

    /// <summary>Gets the Testing package's fake Graph behind the chain of the client named at <see cref="AddTo"/>: its
    /// <c>/v1.0/me</c> answers with the profile of the caller whose on-behalf-of token the request carries.</summary>
    public FakeGraph Graph { get; } = new();

    /// <summary>Finds the caller whose on-behalf-of Graph token a request to the fake Graph carried.</summary>
    /// <param name="request">A request the fake Graph received.</param>
    /// <returns>The caller, or <see langword="null"/> for any other token (an app-only one).</returns>
    public FakeUser? CallerOf(FakeGraphRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _graphTokens.FirstOrDefault(issued => request.Carries(issued.Key)).Value;
    }

    /// <summary>Gets a value indicating whether the configuration asks for the fakes (<c>GraphAuthResilience:Mode</c> is
    /// not <c>Tenant</c>).</summary>
    /// <param name="configuration">The app's configuration.</param>
    /// <returns><see langword="true"/> unless a real tenant is configured.</returns>
    public static bool IsEnabled(IConfiguration configuration) =>
        !string.Equals(configuration["GraphAuthResilience:Mode"], "Tenant", StringComparison.OrdinalIgnoreCase);

    /// <summary>Points the app's Identity.Web registration (section <c>AzureAd</c>) and the named Graph client at the fakes.</summary>
    /// <param name="builder">The web application builder.</param>
    /// <param name="graphClientName">The client the chain is added to.</param>
    /// <returns>The fake tenant.</returns>
    public static FakeTenant AddTo(WebApplicationBuilder builder, string graphClientName)
    {
        var tenant = new FakeTenant();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureAd:Instance"] = "https://login.microsoftonline.com/",
            ["AzureAd:TenantId"] = FakeEntraTokenEndpoint.Tenant,
            ["AzureAd:ClientId"] = ApiClientId,
            ["AzureAd:ClientCredentials:0:SourceType"] = "ClientSecret",
            ["AzureAd:ClientCredentials:0:ClientSecret"] = FakeEntraTokenEndpoint.Secret,
            ["AzureAd:ClientCapabilities:0"] = "cp1",
        });

        // Identity.Web builds its MSAL application with the IMsalHttpClientFactory from DI: every token request
        // (and MSAL's instance discovery) goes to the fake endpoint.
        builder.Services.AddSingleton<IMsalHttpClientFactory>(tenant.Entra);

        // The callers' tokens are signed with the fake tenant's key; nothing fetches Entra ID's metadata or keys.
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
            configuration.SigningKeys.Add(tenant._signingKey);
            options.Configuration = configuration;
            options.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
            options.TokenValidationParameters.ValidIssuer = Issuer;
            options.TokenValidationParameters.IssuerSigningKey = tenant._signingKey;
            // Identity.Web's issuer and signing-key checks read Entra ID's instance metadata: the fake tenant has none.
            options.TokenValidationParameters.IssuerValidator = null;
            options.TokenValidationParameters.IssuerSigningKeyValidatorUsingConfiguration = null;
        });

        builder.Services.AddHttpClient(graphClientName).ConfigurePrimaryHttpMessageHandler(() => tenant.Graph);
        return tenant;
    }

    /// <summary>Issues an access token for this API to a caller, signed with the fake tenant's key (what the caller's
    /// MSAL would get from Entra ID).</summary>
    /// <param name="user">The caller.</param>
    /// <returns>The token.</returns>
    public string CallerToken(FakeUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = ApiClientId,
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(_signingKey, SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(
            [
                new Claim("oid", user.ObjectId),
                new Claim("tid", FakeEntraTokenEndpoint.Tenant),
                new Claim("scp", "access_as_user"),
                new Claim("ver", "2.0"),
                new Claim("uti", "caller-" + Interlocked.Increment(ref _issued)),
            ]),
        });
    }

    /// <summary>Entra ID's answer: client credentials get an app-only token; on-behalf-of depends on the caller.</summary>
    private HttpResponseMessage Answer(FakeEntraTokenRequest request)
    {
        if (request.GrantType != OnBehalfOfGrant)
        {
            return FakeEntraTokenEndpoint.TokenResponse(Entra.NextToken());
        }

        var assertion = new JsonWebToken(request.Form["assertion"]);
        var user = FakeUser.Find(assertion.TryGetPayloadValue<string>("oid", out var oid) ? oid : null)
            ?? throw new InvalidOperationException("The on-behalf-of assertion names no user of the fake tenant.");
        return user.OnBehalfOf switch
        {
            FakeOnBehalfOf.MfaRequired => WithClaims(FakeEntraTokenEndpoint.ErrorResponse(
                HttpStatusCode.BadRequest, "invalid_grant", "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'Microsoft Graph'.", 50076, "basic_action"), MfaClaims),
            FakeOnBehalfOf.ConsentRequired => FakeEntraTokenEndpoint.ErrorResponse(
                HttpStatusCode.BadRequest, "invalid_grant", "The user or administrator has not consented to use the application with ID 'bbbbbbbb-0000-4000-8000-0000000000b1'.", 65001, "consent_required"),
            _ => Entra.UserTokenResponse(GraphToken(user), user.ObjectId),
        };
    }

    private string GraphToken(FakeUser user)
    {
        var token = UnsignedJwt.Delegated("User.Read").WithClaim("oid", user.ObjectId).WithClaim("uti", "graph-" + Interlocked.Increment(ref _issued)).Build();
        _graphTokens[token] = user;
        return token;
    }

    private static HttpResponseMessage WithClaims(HttpResponseMessage error, string claims)
    {
        var body = JsonNode.Parse(error.Content.ReadAsStringAsync().GetAwaiter().GetResult())!;
        body["claims"] = claims;
        error.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        return error;
    }
}
