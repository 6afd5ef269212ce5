using System.Collections.Concurrent;
using System.Net;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Azure.Tests;

/// <summary>The terminal handler standing in for Graph: records the bearer token of each send and answers with <see cref="Respond"/>.</summary>
internal sealed class FakeGraph : HttpMessageHandler
{
    private int _sends;

    public int Sends => Volatile.Read(ref _sends);

    public ConcurrentQueue<string?> Tokens { get; } = new();

    public Func<HttpRequestMessage, int, HttpResponseMessage> Respond { get; set; } = (_, _) => GraphResponses.Json(HttpStatusCode.OK, UserJson);

    public const string UserJson = """{"id":"6c5b4a39-0000-4000-8000-0000000000a1","displayName":"Adele"}""";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _sends);
        Tokens.Enqueue(request.Headers.Authorization?.Parameter);
        var response = Respond(request, n);
        response.RequestMessage ??= request;
        return Task.FromResult(response);
    }
}
