using System.Net.Http.Headers;

namespace GraphAuthResilience.Demo;

/// <summary>The in-process stand-in for Microsoft Graph: the primary handler under the chain. Counts sends.</summary>
internal sealed class FakeGraph : HttpMessageHandler
{
    private int _sends;

    /// <summary>Answers a request: the request, the bearer token it carries (or null), and the 1-based send number.</summary>
    public required Func<HttpRequestMessage, string?, int, HttpResponseMessage> Answer { get; init; }

    /// <summary>Gets an optional wait before answering send number n (to hold sends in flight together).</summary>
    public Func<int, Task>? BeforeAnswer { get; init; }

    public int Sends => Volatile.Read(ref _sends);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _sends);
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken); // read the body as a server would
        }

        if (BeforeAnswer is { } wait)
        {
            await wait(number);
        }

        var token = request.Headers.Authorization is AuthenticationHeaderValue { Scheme: "Bearer", Parameter: { Length: > 0 } value } ? value : null;
        var response = Answer(request, token, number);
        response.RequestMessage ??= request;
        return response;
    }
}
