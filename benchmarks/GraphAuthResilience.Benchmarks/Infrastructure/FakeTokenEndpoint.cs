using System.Net;
using System.Text;
using GraphAuthResilience.Testing;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Benchmarks.Infrastructure;

/// <summary>
/// An in-memory Entra ID token endpoint for real MSAL and Azure.Identity: answers POSTs to
/// <c>.../oauth2/v2.0/token</c> after <see cref="Latency"/> with a fresh unsigned JWT, and counts them. Any other
/// request (instance discovery, metadata) throws, so a benchmark cannot silently depend on the network.
/// </summary>
internal sealed class FakeTokenEndpoint : HttpMessageHandler, IMsalHttpClientFactory
{
    public const string Tenant = "11111111-2222-3333-4444-555555555555";
    public const string ClientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    public const string Secret = "benchmark-secret-not-real-0123456789";
    public const string Scope = "https://graph.microsoft.com/.default";

    private readonly HttpClient _client;
    private int _posts;
    private int _issued;

    public FakeTokenEndpoint(TimeSpan latency)
    {
        Latency = latency;
        _client = new HttpClient(this, disposeHandler: false);
    }

    public TimeSpan Latency { get; }

    public int Posts => Volatile.Read(ref _posts);

    public void ResetPosts() => Volatile.Write(ref _posts, 0);

    public HttpClient GetHttpClient() => _client;

    public IConfidentialClientApplication CreateApp() =>
        ConfidentialClientApplicationBuilder
            .Create(ClientId)
            .WithAuthority($"https://login.microsoftonline.com/{Tenant}/")
            .WithClientSecret(Secret)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(this, retryOnceOn5xx: false)
            .Build();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method != HttpMethod.Post || request.RequestUri is null
            || !request.RequestUri.AbsolutePath.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The fake token endpoint only answers token POSTs, not {request.Method} {request.RequestUri}.");
        }

        Interlocked.Increment(ref _posts);
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, cancellationToken);
        }

        var n = Interlocked.Increment(ref _issued);
        var token = UnsignedJwt.AppOnly().WithRoles("User.Read.All").WithClaim("uti", $"bench-{n}").Build();
        var json = $$"""{"token_type":"Bearer","expires_in":3599,"access_token":"{{token}}"}""";
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }
}
