using System.Net;
using System.Text;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Demo;

/// <summary>
/// An in-process Entra ID token endpoint for real MSAL: MSAL's HTTP client factory points here, so every
/// POST to <c>{authority}oauth2/v2.0/token</c> is answered in memory and counted. Nothing reaches a network.
/// </summary>
internal sealed class FakeTokenEndpoint : HttpMessageHandler, IMsalHttpClientFactory
{
    public const string Tenant = "11111111-2222-3333-4444-555555555555";
    private int _posts;
    private int _postsWithClaims;

    /// <summary>Answers a token request: its form fields and the 1-based number of the POST.</summary>
    public required Func<IReadOnlyDictionary<string, string>, int, HttpResponseMessage> Answer { get; init; }

    public TimeSpan Latency { get; init; }

    public int Posts => Volatile.Read(ref _posts);

    public int PostsWithClaims => Volatile.Read(ref _postsWithClaims);

    public static HttpResponseMessage TokenResponse(string accessToken, int expiresIn = 3599) =>
        new(HttpStatusCode.OK)
        {
            Content = new StringContent(
                $$"""{"token_type":"Bearer","expires_in":{{expiresIn}},"ext_expires_in":{{expiresIn}},"access_token":"{{accessToken}}"}""",
                Encoding.UTF8,
                "application/json"),
        };

    public HttpClient GetHttpClient() => new(this, disposeHandler: false);

    /// <summary>A confidential client application (client credentials, CAE-capable) whose token requests come here.</summary>
    public IConfidentialClientApplication CreateApp() =>
        ConfidentialClientApplicationBuilder
            .Create(Guid.NewGuid().ToString()) // a fresh client id per scenario: MSAL caches and throttles per client
            .WithAuthority($"https://login.microsoftonline.com/{Tenant}/")
            .WithClientSecret("demo-secret-that-is-not-real")
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(this, retryOnceOn5xx: false)
            .WithClientCapabilities(["cp1"])
            .Build();

    /// <summary>Whether a token request carries claims from a challenge. MSAL always sends the client capabilities
    /// (<c>{"access_token":{"xms_cc":...}}</c>) as claims; anything else in them came from a challenge.</summary>
    public static bool HasChallengeClaims(IReadOnlyDictionary<string, string> form)
    {
        if (!form.TryGetValue("claims", out var claims) || string.IsNullOrWhiteSpace(claims))
        {
            return false;
        }

        using var document = System.Text.Json.JsonDocument.Parse(claims);
        return document.RootElement.EnumerateObject().Any(section =>
            section.Name != "access_token" || section.Value.ValueKind != System.Text.Json.JsonValueKind.Object
            || section.Value.EnumerateObject().Any(claim => claim.Name != "xms_cc"));
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is not { AbsolutePath: var path } || !path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The fake token endpoint only answers token requests, not {request.RequestUri}.");
        }

        var number = Interlocked.Increment(ref _posts);
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var form = body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty);
        if (HasChallengeClaims(form))
        {
            Interlocked.Increment(ref _postsWithClaims);
        }

        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, cancellationToken);
        }

        return Answer(form, number);
    }
}
