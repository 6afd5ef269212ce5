using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using GraphAuthResilience.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace GraphAuthResilience.WebApi.Fakes;

/// <summary>Graph's <c>/me</c> for the fake tenant: answers with the profile of the user the bearer token is for, after
/// any answers queued with <see cref="Enqueue"/> (a claims challenge, for example).</summary>
public sealed class FakeGraph : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();
    private readonly ConcurrentQueue<string> _tokens = new();

    /// <summary>Gets the bearer tokens Graph received, in order.</summary>
    public IReadOnlyList<string> Tokens => [.. _tokens];

    /// <summary>Queues the answer to the next request.</summary>
    /// <param name="answer">Makes the answer from the request.</param>
    public void Enqueue(Func<HttpRequestMessage, HttpResponseMessage> answer) => _script.Enqueue(answer);

    /// <inheritdoc/>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter: { } token })
        {
            return Task.FromResult(GraphResponses.Error(HttpStatusCode.Unauthorized, "InvalidAuthenticationToken", "Access token is empty.", request: request));
        }

        _tokens.Enqueue(token);
        if (_script.TryDequeue(out var scripted))
        {
            return Task.FromResult(scripted(request));
        }

        var user = FakeUser.Find(new JsonWebToken(token).TryGetPayloadValue<string>("oid", out var oid) ? oid : null);
        return Task.FromResult(request.RequestUri?.AbsolutePath == "/v1.0/me" && user is not null
            ? GraphResponses.Ok(JsonSerializer.Serialize(new { id = user.ObjectId, displayName = user.DisplayName }), request)
            : GraphResponses.Error(HttpStatusCode.NotFound, "Request_ResourceNotFound", "The fake Graph answers /v1.0/me only.", request: request));
    }
}
