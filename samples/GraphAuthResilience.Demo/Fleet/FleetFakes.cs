using System.Collections.Concurrent;
using System.Net;
using System.Text;
using GraphAuthResilience.Testing;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Demo.Fleet;

/// <summary>
/// The one token endpoint a fleet shares: answers MSAL's client-credentials POSTs with a fresh unsigned JWT after a
/// short latency, and counts them (all, and those carrying claims from a challenge). Usable in-process (as MSAL's
/// HTTP client factory) or behind <see cref="LoopbackHttpServer"/> for instance processes.
/// </summary>
internal sealed class FleetTokenEndpoint : HttpMessageHandler, IMsalHttpClientFactory
{
    private int _posts;
    private int _postsWithClaims;

    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(50);

    public int Posts => Volatile.Read(ref _posts);

    public int PostsWithClaims => Volatile.Read(ref _postsWithClaims);

    /// <summary>Gets the last token issued.</summary>
    public string? LastIssued { get; private set; }

    public HttpClient GetHttpClient() => new(this, disposeHandler: false);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method != HttpMethod.Post || request.RequestUri?.AbsolutePath.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal) != true)
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var form = body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty);
        var number = Interlocked.Increment(ref _posts);
        if (FakeTokenEndpoint.HasChallengeClaims(form))
        {
            Interlocked.Increment(ref _postsWithClaims);
        }

        await Task.Delay(Latency, cancellationToken);
        var token = UnsignedJwt.AppOnly().WithClaim("uti", "fleet-" + number.ToString(System.Globalization.CultureInfo.InvariantCulture)).Build();
        LastIssued = token;
        return FakeTokenEndpoint.TokenResponse(token);
    }
}

/// <summary>
/// The one Graph a fleet calls: 200 for a token it accepts, Graph's CAE claims challenge for a revoked one, a plain
/// 401 without a token. Counts the requests each token carried.
/// </summary>
internal sealed class FleetGraph : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, byte> _revoked = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, int> RequestsByToken { get; } = new(StringComparer.Ordinal);

    /// <summary>Revokes a token (a revoked session): Graph answers it with a claims challenge from now on.</summary>
    public void Revoke(string token) => _revoked[token] = 0;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = request.Headers.Authorization is { Scheme: "Bearer", Parameter: { Length: > 0 } value } ? value : null;
        if (token is null)
        {
            return Task.FromResult(GraphResponses.Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Access token is empty.", GraphResponses.PlainChallenge, request: request));
        }

        RequestsByToken.AddOrUpdate(token, 1, (_, n) => n + 1);
        return Task.FromResult(_revoked.ContainsKey(token)
            ? GraphResponses.ClaimsChallenge(request: request)
            : GraphResponses.Ok("""{"id":"11111111-2222-3333-4444-555555555555"}""", request));
    }
}

/// <summary>Serves an <see cref="HttpMessageHandler"/> on <c>http://127.0.0.1:{port}/</c> (HttpListener), for processes.</summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpMessageInvoker _handler;
    private readonly CancellationTokenSource _stop = new();

    public LoopbackHttpServer(HttpMessageHandler handler)
    {
        _handler = new HttpMessageInvoker(handler, disposeHandler: false);
        Port = RedisServer.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}/");

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _handler.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }

            _ = ServeAsync(context);
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), new Uri(Address, context.Request.RawUrl ?? "/"));
            if (context.Request.HasEntityBody)
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                request.Content = new ByteArrayContent(body.ToArray());
                if (context.Request.ContentType is { } type)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
                }
            }

            foreach (var name in context.Request.Headers.AllKeys.OfType<string>())
            {
                request.Headers.TryAddWithoutValidation(name, context.Request.Headers[name]);
            }

            using var response = await _handler.SendAsync(request, _stop.Token);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers)
            {
                context.Response.Headers.Add(header.Key, string.Join(", ", header.Value));
            }

            var bytes = await response.Content.ReadAsByteArrayAsync();
            if (response.Content.Headers.ContentType is { } contentType)
            {
                context.Response.ContentType = contentType.ToString();
            }

            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception)
        {
            try
            {
                context.Response.StatusCode = 500;
                context.Response.Close();
            }
            catch (Exception)
            {
                // The client went away.
            }
        }
    }
}

/// <summary>Sends what is addressed to Graph or Entra ID to a loopback server instead (below the chain).</summary>
internal sealed class LoopbackRedirectHandler(Uri target) : DelegatingHandler(new SocketsHttpHandler())
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = target.Scheme, Host = target.Host, Port = target.Port }.Uri;
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>MSAL's HTTP client, pointed at a loopback token endpoint.</summary>
internal sealed class LoopbackMsalHttpClientFactory(Uri target) : IMsalHttpClientFactory
{
    private readonly HttpClient _client = new(new LoopbackRedirectHandler(target));

    public HttpClient GetHttpClient() => _client;
}
