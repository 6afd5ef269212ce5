using System.Collections.Concurrent;
using System.Net;
using System.Text;
using GraphAuthResilience.Testing;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Demo.Fleet;

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
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Only the wire goes to the loopback server: the chain above still sees the https address it asked for.
        var original = request.RequestUri!;
        request.RequestUri = new UriBuilder(original) { Scheme = target.Scheme, Host = target.Host, Port = target.Port }.Uri;
        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        finally
        {
            request.RequestUri = original;
        }
    }
}

/// <summary>MSAL's HTTP client, pointed at a loopback token endpoint.</summary>
internal sealed class LoopbackMsalHttpClientFactory(Uri target) : IMsalHttpClientFactory
{
    private readonly HttpClient _client = new(new LoopbackRedirectHandler(target));

    public HttpClient GetHttpClient() => _client;
}
