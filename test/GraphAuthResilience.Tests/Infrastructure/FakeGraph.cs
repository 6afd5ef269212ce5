using System.Collections.Concurrent;
using System.Net;
using System.Text;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Infrastructure;

/// <summary>
/// The terminal handler standing in for Graph: records each send (method, URI, Authorization, body bytes) and
/// answers with <see cref="Respond"/> (default 200 <c>{}</c>).
/// </summary>
internal sealed class FakeGraph : HttpMessageHandler
{
    private int _sends;

    public int Sends => Volatile.Read(ref _sends);

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Func<HttpRequestMessage, int, HttpResponseMessage> Respond { get; set; } = (_, _) => GraphResponses.Json(HttpStatusCode.OK, "{}");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _sends);
        // Read the body as a transport does (CopyToAsync: serialised to the wire, not buffered into the content), so
        // a content that makes other bytes on each send shows it here too.
        byte[]? body = null;
        if (request.Content is { } content)
        {
            using var wire = new MemoryStream();
            await content.CopyToAsync(wire, cancellationToken);
            body = wire.ToArray();
        }

        Requests.Enqueue(new RecordedRequest(request.Method, request.RequestUri!, request.Headers.Authorization?.Scheme, request.Headers.Authorization?.Parameter, body));
        var response = Respond(request, n);
        response.RequestMessage ??= request;
        return response;
    }

    /// <summary>A synchronous send (<c>HttpClient.Send</c>) is answered the same way.</summary>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Scheme, string? Token, byte[]? Body);
}
