using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using GraphAuthResilience.Testing;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Tests.Infrastructure;

/// <summary>
/// An in-memory Entra ID token endpoint for real MSAL: answers POSTs to <c>{authority}oauth2/v2.0/token</c>,
/// counts them, records their form fields, and answers from a script (default: a fresh unsigned JWT).
/// </summary>
internal sealed class FakeTokenEndpoint : HttpMessageHandler, IMsalHttpClientFactory
{
    public const string Tenant = "11111111-2222-3333-4444-555555555555";
    public const string Secret = "s3cr3t-Value~ThatMustNeverLeak.0123456789";
    private readonly ConcurrentQueue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _forms = new();
    private int _posts;
    private int _issued;

    public int Posts => Volatile.Read(ref _posts);

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Forms => [.. _forms];

    /// <summary>Gets or sets a gate every answer waits for (to hold acquisitions in flight).</summary>
    public Task? Gate { get; set; }

    public TimeSpan Latency { get; set; }

    public int ExpiresInSeconds { get; set; } = 3599;

    public ConcurrentQueue<string> IssuedTokens { get; } = new();

    public void Enqueue(Func<HttpRequestMessage, HttpResponseMessage> answer) => _script.Enqueue(answer);

    public void EnqueueError(HttpStatusCode status, string error, string description, int aadsts, string? suberror = null, string? retryAfter = null) =>
        Enqueue(_ => ErrorResponse(status, error, description, aadsts, suberror, retryAfter));

    public static HttpResponseMessage ErrorResponse(HttpStatusCode status, string error, string description, int aadsts, string? suberror = null, string? retryAfter = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["error"] = error,
            ["error_description"] = $"AADSTS{aadsts}: {description}\r\nTrace ID: 0b1a2c3d-0000-4000-8000-000000000001\r\nCorrelation ID: 0b1a2c3d-0000-4000-8000-000000000002\r\nTimestamp: 2026-11-25 07:00:00Z",
            ["error_codes"] = new[] { aadsts },
            ["timestamp"] = "2026-11-25 07:00:00Z",
            ["trace_id"] = "0b1a2c3d-0000-4000-8000-000000000001",
            ["correlation_id"] = "0b1a2c3d-0000-4000-8000-000000000002",
            ["error_uri"] = "https://login.microsoftonline.com/error?code=" + aadsts,
        };
        if (suberror is not null)
        {
            body["suberror"] = suberror;
        }

        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return response;
    }

    public HttpResponseMessage TokenResponse(string? token = null, int? expiresIn = null, int? refreshIn = null)
    {
        token ??= NextToken();
        var json = refreshIn is { } r
            ? $$"""{"token_type":"Bearer","expires_in":{{expiresIn ?? ExpiresInSeconds}},"refresh_in":{{r}},"access_token":"{{token}}"}"""
            : $$"""{"token_type":"Bearer","expires_in":{{expiresIn ?? ExpiresInSeconds}},"access_token":"{{token}}"}""";
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }

    /// <summary>A delegated answer (OBO, refresh token, silent): also needs client_info, an id_token and a refresh token.</summary>
    public HttpResponseMessage UserTokenResponse(string? token = null)
    {
        token ??= NextDelegatedToken();
        const string oid = "6c5b4a39-0000-4000-8000-0000000000a1";
        var clientInfo = Base64Url("{\"uid\":\"" + oid + "\",\"utid\":\"" + Tenant + "\"}");
        var idToken = UnsignedJwt.Delegated().WithAudience("client").WithClaim("oid", oid).WithClaim("sub", "subject-1")
            .WithClaim("iss", $"https://login.microsoftonline.com/{Tenant}/v2.0").WithClaim("ver", "2.0").Build();
        var json = $$"""{"token_type":"Bearer","scope":"https://graph.microsoft.com/User.Read","expires_in":{{ExpiresInSeconds}},"ext_expires_in":{{ExpiresInSeconds}},"access_token":"{{token}}","refresh_token":"rt-{{Guid.NewGuid():N}}","id_token":"{{idToken}}","client_info":"{{clientInfo}}"}""";
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }

    public string NextDelegatedToken()
    {
        var n = Interlocked.Increment(ref _issued);
        var token = UnsignedJwt.Delegated("User.Read", "Mail.Read").WithClaim("uti", $"msal-user-{n}").Build();
        IssuedTokens.Enqueue(token);
        return token;
    }

    /// <summary>Answers every request without a script entry with <see cref="UserTokenResponse"/>.</summary>
    public bool DelegatedByDefault { get; set; }

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public string NextToken()
    {
        var n = Interlocked.Increment(ref _issued);
        var token = UnsignedJwt.AppOnly().WithRoles("User.Read.All", "Mail.Read").WithClaim("uti", $"msal-{n}").Build();
        IssuedTokens.Enqueue(token);
        return token;
    }

    public HttpClient GetHttpClient() => new(this, disposeHandler: false);

    public IConfidentialClientApplication CreateConfidentialClient(string? clientId = null, params string[] capabilities)
    {
        var builder = ConfidentialClientApplicationBuilder
            .Create(clientId ?? Guid.NewGuid().ToString())
            .WithAuthority($"https://login.microsoftonline.com/{Tenant}/")
            .WithClientSecret(Secret)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(this, retryOnceOn5xx: false);
        if (capabilities.Length > 0)
        {
            builder = builder.WithClientCapabilities(capabilities);
        }

        return builder.Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is null || !request.RequestUri.AbsolutePath.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The fake token endpoint only answers token requests, not {request.RequestUri}.");
        }

        Interlocked.Increment(ref _posts);
        var form = await request.Content!.ReadAsStringAsync(cancellationToken);
        _forms.Enqueue(form.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty));
        if (Gate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }

        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, cancellationToken);
        }

        return _script.TryDequeue(out var answer) ? answer(request) : DelegatedByDefault ? UserTokenResponse() : TokenResponse();
    }
}
