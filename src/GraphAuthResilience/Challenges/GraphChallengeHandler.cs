using System.Net;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Telemetry;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Challenges;

/// <summary>
/// Meets what a new token can fix, replaying the request once: a 401 or 403 with a claims challenge
/// (<c>error="insufficient_claims"</c>, CAE) is met by acquiring with the decoded claims; any other 401 to a
/// request that carried our token is met by forcing one refresh (a storm of them causes one refresh in total).
/// Never replays when the token that was sent cannot be fixed by another one (wrong audience, personal account),
/// never replays twice, and never resends a body it could not buffer.
/// </summary>
internal sealed class GraphChallengeHandler : DelegatingHandler
{
    private readonly GraphTokenCache _cache;
    private readonly GraphHostPolicy _hosts;
    private readonly long _maxReplayBufferBytes;
    private readonly ILogger _logger;
    private readonly string? _chainName;

    public GraphChallengeHandler(GraphTokenCache cache, GraphAuthOptions options, ILogger logger, string? chainName = null)
    {
        _cache = cache;
        _hosts = new GraphHostPolicy(options.AllowedHosts);
        _maxReplayBufferBytes = options.MaxReplayBufferBytes;
        _logger = logger;
        _chainName = chainName;
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _hosts.IsAllowed(request.RequestUri) ? throw GraphHostPolicy.SynchronousSendRefused() : base.Send(request, cancellationToken);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_hosts.IsAllowed(request.RequestUri))
        {
            return base.SendAsync(request, cancellationToken);
        }

        var context = GraphAuthRequestContext.GetOrCreate(request);
        if (!context.IsHandledBy(_chainName))
        {
            return base.SendAsync(request, cancellationToken);
        }

        var prepared = ReplayableContent.PrepareAsync(request, _maxReplayBufferBytes, cancellationToken);
        if (!prepared.IsCompletedSuccessfully)
        {
            return PrepareThenSendAsync(request, context, prepared, cancellationToken);
        }

        var replayable = context.BodyReplayable = prepared.Result;
        var send = base.SendAsync(request, cancellationToken);

        // A response that is already here and is no auth answer goes back without an async state machine.
        return send.IsCompletedSuccessfully && !IsAuthAnswer(send.Result)
            ? send
            : HandleResponseAsync(request, context, replayable, send, cancellationToken);
    }

    private static bool IsAuthAnswer(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;

    private async Task<HttpResponseMessage> PrepareThenSendAsync(
        HttpRequestMessage request, GraphAuthRequestContext context, ValueTask<bool> prepared, CancellationToken cancellationToken)
    {
        var replayable = context.BodyReplayable = await prepared.ConfigureAwait(false);
        if (replayable && request.Content?.Headers.ContentLength is { } bufferedLength)
        {
            Log.BodyBuffered(_logger, bufferedLength);
        }

        return await HandleResponseAsync(request, context, replayable, base.SendAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> HandleResponseAsync(
        HttpRequestMessage request, GraphAuthRequestContext context, bool replayable, Task<HttpResponseMessage> send, CancellationToken cancellationToken)
    {
        var response = await send.ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) || context.SentToken is not { } sentToken)
        {
            // Not an auth answer, or the request did not carry our token (a caller-set header is the caller's business).
            return response;
        }

        var method = request.Method.Method;
        var path = GraphPath.Redact(request.RequestUri); // no ids or UPNs in logs
        var claimsChallenge = ClaimsChallenge.Find(WwwAuthenticateParser.Parse(response.Headers));
        context.ChallengeClaims = claimsChallenge?.ClaimsJson;

        string reason;
        if (claimsChallenge is not null)
        {
            reason = "claims_challenge";
        }
        else if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            reason = "refresh";
        }
        else
        {
            return response; // A 403 without claims: permissions, not the token's freshness. Diagnosis explains it.
        }

        if (context.Replayed)
        {
            Log.ReplaySkipped(_logger, method, path, "already replayed once");
            return response;
        }

        if (GraphTokenInfo.TryParse(sentToken, out var info) && info is not null && (!info.IsGraphAudience || info.IsPersonalAccount))
        {
            // Another token from the same source would have the same audience and account: replaying cannot help.
            context.ReplayRefusedReason = info.IsPersonalAccount ? "personal account" : "wrong audience";
            Log.ReplaySkipped(_logger, method, path, context.ReplayRefusedReason);
            return response;
        }

        if (!replayable)
        {
            context.BodyNotReplayable = true;
            context.ReplayRefusedReason = "body not replayable";
            Log.BodyNotReplayable(_logger, method, path, _maxReplayBufferBytes);
            return response;
        }

        if (claimsChallenge is { } challenge)
        {
            Log.ClaimsChallengeReceived(_logger, method, path, (int)response.StatusCode);
            context.Claims = challenge.ClaimsJson;
        }
        else
        {
            Log.RefreshableUnauthorized(_logger, method, path, "token rejected");
        }

        context.RejectedToken = sentToken;
        context.Replayed = true;
        GraphAuthTelemetry.Replays.Add(1, new KeyValuePair<string, object?>(GraphAuthTelemetry.ReasonTag, reason));
        response.Dispose();

        var replayResponse = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (context.Claims is not null && replayResponse.IsSuccessStatusCode && context.Scopes is { } scopes)
        {
            // The claims were met: later requests without claims must not reuse the token Graph revoked.
            _cache.Invalidate(context.Partition, scopes, sentToken);
        }

        return replayResponse;
    }
}
