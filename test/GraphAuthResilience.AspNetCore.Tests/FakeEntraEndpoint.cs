using System.Collections.Concurrent;
using System.Net;
using System.Text;
using GraphAuthResilience.Testing;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.AspNetCore.Tests;

/// <summary>
/// An in-memory Entra ID token endpoint for real MSAL apps on both sides of a web API: the caller's public client
/// (refresh-token grant, for a token to the API) and the API's confidential client (on-behalf-of, for a Graph token).
/// Records each POST's form; on-behalf-of answers come from a script first.
/// </summary>
internal sealed class FakeEntraEndpoint : HttpMessageHandler, IMsalHttpClientFactory
{
    public const string Tenant = "11111111-2222-3333-4444-555555555555";
    public const string ApiScope = "api://graph-facade/access_as_user";
    private const string Oid = "6c5b4a39-0000-4000-8000-0000000000a1";
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _onBehalfOfScript = new();
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _forms = new();
    private int _issued;

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Forms => [.. _forms];

    public IEnumerable<IReadOnlyDictionary<string, string>> OnBehalfOfForms =>
        Forms.Where(f => f.GetValueOrDefault("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer");

    public IEnumerable<IReadOnlyDictionary<string, string>> CallerForms =>
        Forms.Where(f => f.GetValueOrDefault("grant_type") == "refresh_token");

    public ConcurrentQueue<string> ApiTokens { get; } = new();

    public void EnqueueOnBehalfOf(Func<HttpResponseMessage> answer) => _onBehalfOfScript.Enqueue(answer);

    /// <summary>What Entra answers an on-behalf-of request when the user must pass MFA first.</summary>
    public static HttpResponseMessage MfaRequired(string claimsJson) => Json(HttpStatusCode.BadRequest, new Dictionary<string, object>
    {
        ["error"] = "invalid_grant",
        ["error_description"] = "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'Microsoft Graph'. Trace ID: 0b1a2c3d-0000-4000-8000-000000000001 Correlation ID: 0b1a2c3d-0000-4000-8000-000000000002 Timestamp: 2026-11-30 07:00:00Z",
        ["error_codes"] = new[] { 50076 },
        ["suberror"] = "basic_action",
        ["claims"] = claimsJson,
        ["trace_id"] = "0b1a2c3d-0000-4000-8000-000000000001",
        ["correlation_id"] = "0b1a2c3d-0000-4000-8000-000000000002",
    });

    /// <summary>What Entra answers an on-behalf-of request when the middle tier lacks consent for Graph.</summary>
    public static HttpResponseMessage ConsentMissing() => Json(HttpStatusCode.BadRequest, new Dictionary<string, object>
    {
        ["error"] = "invalid_grant",
        ["error_description"] = "AADSTS65001: The user or administrator has not consented to use the application with ID 'x' named 'graph-facade'. Trace ID: 0b1a2c3d-0000-4000-8000-000000000003",
        ["error_codes"] = new[] { 65001 },
        ["suberror"] = "consent_required",
    });

    public HttpClient GetHttpClient() => new(this, disposeHandler: false);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (request.Method != HttpMethod.Post || uri.Host != "login.microsoftonline.com" || !uri.AbsolutePath.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
        {
            throw new HttpRequestException($"The fake token endpoint refuses {request.Method} {uri.GetLeftPart(UriPartial.Path)}.");
        }

        var text = await request.Content!.ReadAsStringAsync(cancellationToken);
        var form = text.Split('&').Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty);
        _forms.Enqueue(form);
        var n = Interlocked.Increment(ref _issued);
        if (form["grant_type"] == "refresh_token")
        {
            var apiToken = UnsignedJwt.Delegated("access_as_user").WithAudience("api://graph-facade").WithClaim("oid", Oid).WithClaim("uti", $"api-{n}").Build();
            ApiTokens.Enqueue(apiToken);
            return UserTokenResponse(apiToken, ApiScope);
        }

        if (_onBehalfOfScript.TryDequeue(out var scripted))
        {
            return scripted();
        }

        var graphToken = UnsignedJwt.Delegated("User.Read").WithClaim("oid", Oid).WithClaim("uti", $"graph-{n}").Build();
        return UserTokenResponse(graphToken, "https://graph.microsoft.com/User.Read");
    }

    private static HttpResponseMessage UserTokenResponse(string accessToken, string scope)
    {
        var clientInfo = Base64Url($$"""{"uid":"{{Oid}}","utid":"{{Tenant}}"}""");
        var idToken = UnsignedJwt.Delegated().WithAudience("client").WithClaim("oid", Oid).WithClaim("sub", "subject-1")
            .WithClaim("iss", $"https://login.microsoftonline.com/{Tenant}/v2.0").WithClaim("ver", "2.0").Build();
        return Json(HttpStatusCode.OK, new Dictionary<string, object>
        {
            ["token_type"] = "Bearer",
            ["scope"] = scope,
            ["expires_in"] = 3599,
            ["ext_expires_in"] = 3599,
            ["access_token"] = accessToken,
            ["refresh_token"] = "rt-" + Guid.NewGuid().ToString("N"),
            ["id_token"] = idToken,
            ["client_info"] = clientInfo,
        });
    }

    private static HttpResponseMessage Json(HttpStatusCode status, Dictionary<string, object> body) => new(status)
    {
        Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
    };

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
