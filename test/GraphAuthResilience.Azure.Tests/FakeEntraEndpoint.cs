using System.Collections.Concurrent;
using System.Net;
using System.Text;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Azure.Tests;

/// <summary>
/// An in-process Entra ID token endpoint for Azure.Identity credentials: plug it in as the credential's
/// <c>Transport</c> (<c>new HttpClientTransport(endpoint.CreateHttpClient())</c>). Answers POSTs to
/// <c>/{tenant}/oauth2/v2.0/token</c>, records their form fields, and refuses anything else, so a test proves that
/// nothing else (instance discovery, metadata, another host) was asked for.
/// </summary>
internal sealed class FakeEntraEndpoint : HttpMessageHandler
{
    public const string Tenant = "11111111-2222-3333-4444-555555555555";
    public const string ClientId = "aaaaaaaa-1111-4000-8000-000000000001";
    public const string Secret = "azure-s3cr3t~Value.ThatMustNeverLeak.9876543210";
    private readonly ConcurrentQueue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _forms = new();
    private int _posts;
    private int _issued;

    public int Posts => Volatile.Read(ref _posts);

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Forms => [.. _forms];

    public ConcurrentQueue<string> IssuedTokens { get; } = new();

    public ConcurrentQueue<Uri> Refused { get; } = new();

    public Task? Gate { get; set; }

    public int? RefreshInSeconds { get; set; }

    public void Enqueue(Func<HttpRequestMessage, HttpResponseMessage> answer) => _script.Enqueue(answer);

    public HttpClient CreateHttpClient() => new(this, disposeHandler: false);

    public static HttpResponseMessage Error(HttpStatusCode status, string error, int aadsts, string description) => new(status)
    {
        Content = new StringContent(
            $$"""{"error":"{{error}}","error_description":"AADSTS{{aadsts}}: {{description}} Trace ID: 0b1a2c3d-0000-4000-8000-000000000001 Correlation ID: 0b1a2c3d-0000-4000-8000-000000000002 Timestamp: 2026-11-30 07:00:00Z","error_codes":[{{aadsts}}],"trace_id":"0b1a2c3d-0000-4000-8000-000000000001","correlation_id":"0b1a2c3d-0000-4000-8000-000000000002"}""",
            Encoding.UTF8,
            "application/json"),
    };

    public string NextToken()
    {
        var n = Interlocked.Increment(ref _issued);
        var token = UnsignedJwt.AppOnly().WithRoles("User.Read.All").WithClaim("idtyp", "app").WithClaim("uti", $"azure-{n}").Build();
        IssuedTokens.Enqueue(token);
        return token;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (request.Method != HttpMethod.Post || uri.Host != "login.microsoftonline.com" || !uri.AbsolutePath.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
        {
            Refused.Enqueue(uri);
            throw new HttpRequestException($"The fake token endpoint refuses {request.Method} {uri.GetLeftPart(UriPartial.Path)}.");
        }

        Interlocked.Increment(ref _posts);
        var form = await request.Content!.ReadAsStringAsync(cancellationToken);
        _forms.Enqueue(form.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty));
        if (Gate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }

        if (_script.TryDequeue(out var answer))
        {
            return answer(request);
        }

        var refresh = RefreshInSeconds is { } r ? $",\"refresh_in\":{r}" : string.Empty;
        var json = $$"""{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599{{refresh}},"access_token":"{{NextToken()}}"}""";
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }
}
