using System.Net;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Http;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Telemetry;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Challenges;

/// <summary>
/// Meets what a new token can fix, replaying the request once: a 401 or 403 with a claims challenge
/// (<c>error="insufficient_claims"</c>, CAE) is met by acquiring with the decoded claims; any other 401 to a
/// request that carried our token is met by forcing one refresh (a storm of them causes one refresh in total).
/// Never replays when the token that was sent cannot be fixed by another one (wrong audience, personal account),
/// never replays twice, and never resends a body it could not buffer.
/// </summary>
/// <remarks>
/// It stores nothing on a 2xx. On a 400/401/403 it records a <see cref="GraphChallengeDecision"/> (with the parsed
/// challenges and token, for the failure handler) in the message's <see cref="GraphChallengeState"/>, and asks its
/// chain's token handler for a new token through a <see cref="GraphSendDirective"/>.
/// </remarks>
internal sealed class GraphChallengeHandler : DelegatingHandler
{
    private readonly GraphHostPolicy _hosts;
    private readonly long _maxReplayBufferBytes;
    private readonly ILogger _logger;
    private readonly GraphAuthChain _chain;
    private readonly GraphAuthMetrics _metrics;
    private readonly GraphPermissionRecorder? _recorder;

    public GraphChallengeHandler(
        GraphAuthOptions options, ILogger logger, GraphAuthChain chain, GraphAuthMetrics? metrics = null, GraphPermissionRecorder? recorder = null)
    {
        _metrics = metrics ?? GraphAuthMetrics.Shared;
        _recorder = recorder;
        _hosts = new GraphHostPolicy(options.AllowedHosts, options.Scopes);
        _maxReplayBufferBytes = options.MaxReplayBufferBytes;
        _logger = logger;
        _chain = chain;
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _hosts.IsAllowed(request) ? throw GraphHostPolicy.SynchronousSendRefused() : base.Send(request, cancellationToken);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Whose request it is, asked before the send: a redirect followed inside (SocketsHttpHandler) strips the
        // header, after which every chain would think it its own. A message without headers answers at once.
        if (!_chain.Owns(request))
        {
            return base.SendAsync(request, cancellationToken);
        }

        if (request.Content is null)
        {
            // No body to make replayable, so nothing to do before the send: whether the request went to Graph is
            // asked only of an auth answer (the hot path of a GET asks nothing more).
            var sent = base.SendAsync(request, cancellationToken);
            return sent.IsCompletedSuccessfully && !IsAuthAnswer(sent.Result)
                ? sent
                : HandleResponseAsync(request, replayable: true, sent, cancellationToken, checkHost: true);
        }

        if (!_hosts.IsAllowed(request))
        {
            return base.SendAsync(request, cancellationToken);
        }

        var prepared = HttpBody.PrepareReplayAsync(request, _maxReplayBufferBytes, cancellationToken);
        if (!prepared.IsCompletedSuccessfully)
        {
            return PrepareThenSendAsync(request, prepared, cancellationToken);
        }

        var replayable = prepared.Result;
        var send = base.SendAsync(request, cancellationToken);

        // A response that is already here and is no auth answer goes back without an async state machine.
        return send.IsCompletedSuccessfully && !IsAuthAnswer(send.Result)
            ? send
            : HandleResponseAsync(request, replayable, send, cancellationToken);
    }

    private static bool IsAuthAnswer(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;

    private async Task<HttpResponseMessage> PrepareThenSendAsync(HttpRequestMessage request, ValueTask<bool> prepared, CancellationToken cancellationToken)
    {
        var replayable = await prepared.ConfigureAwait(false);
        if (replayable && request.Content?.Headers.ContentLength is { } bufferedLength)
        {
            Log.BodyBuffered(_logger, bufferedLength);
        }

        return await HandleResponseAsync(request, replayable, base.SendAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> HandleResponseAsync(
        HttpRequestMessage request, bool replayable, Task<HttpResponseMessage> send, CancellationToken cancellationToken, bool checkHost = false)
    {
        var response = await send.ConfigureAwait(false);
        if (!IsAuthAnswer(response) || (checkHost && !_hosts.IsAllowed(request)))
        {
            return response;
        }

        var state = GraphChallengeState.GetOrCreate(request);
        var ours = GraphBearerHeader.Of(request);
        var challenges = WwwAuthenticateParser.Parse(response.Headers);
        var claimsChallenge = ClaimsChallenge.Find(challenges);
        var sentToken = ours?.Token ?? CallerBearerToken(request);
        CountRefusal(request, response.StatusCode, ours, sentToken);
        GraphTokenInfo.TryParse(sentToken, out var info);
        // A message a handler outside made as its own one fix (a $batch re-send) counts as replayed already.
        var replayUsed = state.ReplayUsed || GraphSendDirective.For(request, _chain)?.IsReplay == true;
        var outcome = Decide(response.StatusCode, ours is not null && ReferenceEquals(ours.Chain, _chain), claimsChallenge is not null, replayUsed, info, replayable);
        if (outcome == GraphChallengeOutcome.Replayed && claimsChallenge is null
            && await RefusesTokenKindAsync(response, cancellationToken).ConfigureAwait(false))
        {
            // Graph says the API takes no token of this kind: a fresh one of the same kind would be refused too.
            outcome = GraphChallengeOutcome.RefusedTokenKind;
        }

        state.Latest = new GraphChallengeDecision(response, outcome, challenges, claimsChallenge?.ClaimsJson, sentToken, info, replayable);

        var method = request.Method.Method;
        if (outcome == GraphChallengeOutcome.NotForTheChallengeHandler)
        {
            // A 400, a 403 without claims (permissions, not the token's freshness), or a token the caller set: diagnosis explains it.
            return response;
        }

        var path = GraphPath.Redact(request.RequestUri); // no ids or UPNs in logs
        if (outcome == GraphChallengeOutcome.RefusedBodyNotReplayable)
        {
            Log.BodyNotReplayable(_logger, method, path, _maxReplayBufferBytes);
            return response;
        }

        if (outcome != GraphChallengeOutcome.Replayed)
        {
            Log.ReplaySkipped(_logger, method, path, state.Latest.RefusedReason ?? "?");
            return response;
        }

        string reason;
        if (claimsChallenge is { } challenge)
        {
            Log.ClaimsChallengeReceived(_logger, method, path, (int)response.StatusCode);
            reason = "claims_challenge";
        }
        else
        {
            Log.RefreshableUnauthorized(_logger, method, path, "token rejected");
            reason = "refresh";
        }

        state.ReplayUsed = true;
        _metrics.Replayed(reason);
        response.Dispose();

        HttpResponseMessage replayResponse;
        using (GraphSendDirective.Apply(request, _chain, claimsChallenge?.ClaimsJson, ours!.Token))
        {
            replayResponse = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (IsAuthAnswer(replayResponse))
        {
            // Parsed here once, for the failure handler: what the replay's answer said about the token it carried.
            var replayChallenges = WwwAuthenticateParser.Parse(replayResponse.Headers);
            var replayOurs = GraphBearerHeader.Of(request);
            var replayToken = replayOurs?.Token ?? CallerBearerToken(request);
            CountRefusal(request, replayResponse.StatusCode, replayOurs, replayToken);
            GraphTokenInfo.TryParse(replayToken, out var replayInfo);
            var replayClaims = ClaimsChallenge.Find(replayChallenges)?.ClaimsJson;
            state.Latest = new GraphChallengeDecision(
                replayResponse, GraphChallengeOutcome.Replayed, replayChallenges, replayClaims, replayToken, replayInfo, replayable);
            if (claimsChallenge is not null && replayClaims is not null)
            {
                // The claims cannot be met silently: Kiota's own claims re-send of this call must not reach Graph again.
                _chain.RecordUnmetClaims(request, replayClaims, ours.Token, replayToken);
            }
        }

        return replayResponse;
    }

    /// <summary>With recording on, counts a 401 or 403 against the call the token handler recorded as it was sent (its
    /// own token, or a caller's bearer token to a Graph host): every auth answer of this chain passes here.</summary>
    private void CountRefusal(HttpRequestMessage request, HttpStatusCode status, GraphBearerHeader? ours, string? token)
    {
        if (_recorder is not null && token is not null && status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            && (ours is null
                ? _hosts.IsAllowed(request.RequestUri) // as the token handler asks of a caller's token
                : ReferenceEquals(ours.Chain, _chain)))
        {
            _recorder.Denied(request, token);
        }
    }

    private static GraphChallengeOutcome Decide(HttpStatusCode status, bool tokenWasOurs, bool claimsChallenge, bool replayUsed, GraphTokenInfo? info, bool replayable)
    {
        if (!tokenWasOurs || status == HttpStatusCode.BadRequest || (status == HttpStatusCode.Forbidden && !claimsChallenge))
        {
            return GraphChallengeOutcome.NotForTheChallengeHandler;
        }

        if (replayUsed)
        {
            return GraphChallengeOutcome.RefusedAlreadyReplayed;
        }

        // Another token from the same source would have the same audience and account: replaying cannot help.
        if (info is not null && info.IsPersonalAccount)
        {
            return GraphChallengeOutcome.RefusedPersonalAccount;
        }

        if (info is not null && !info.IsGraphAudience)
        {
            return GraphChallengeOutcome.RefusedWrongAudience;
        }

        return replayable ? GraphChallengeOutcome.Replayed : GraphChallengeOutcome.RefusedBodyNotReplayable;
    }

    /// <summary>Whether a 401's JSON error says the API refuses this kind of token (read from a bounded, buffered
    /// body, which stays readable for the caller).</summary>
    private static async ValueTask<bool> RefusesTokenKindAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        const int MaxBytes = 64 * 1024;
        if (response.Content is not { } content
            || content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) != true
            || content.Headers.ContentLength is not (> 0 and <= MaxBytes))
        {
            return false;
        }

#if NET9_0_OR_GREATER
        await content.LoadIntoBufferAsync(MaxBytes, cancellationToken).ConfigureAwait(false);
#else
        await content.LoadIntoBufferAsync(MaxBytes).ConfigureAwait(false);
#endif
        var bytes = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return GraphTokenKindWords.Read(bytes) != GraphTokenKindRefusal.None;
    }

    private static string? CallerBearerToken(HttpRequestMessage request) =>
        request.Headers.Authorization is { Scheme: var scheme, Parameter: var parameter }
        && string.Equals(scheme, "Bearer", StringComparison.OrdinalIgnoreCase) ? parameter : null;
}
