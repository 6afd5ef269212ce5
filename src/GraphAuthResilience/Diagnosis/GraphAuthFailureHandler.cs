using System.Net;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Telemetry;
using Microsoft.Extensions.Logging;
using GraphAuthResilience.Http;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Outermost handler: once everything inside has had its chance, a 400/401/403 from an allowed Graph host is
/// classified into a <see cref="GraphAuthException"/>, thrown, or (when
/// <see cref="GraphAuthOptions.ThrowOnAuthFailure"/> is off) attached to the response, which stays readable.
/// </summary>
internal sealed class GraphAuthFailureHandler : DelegatingHandler
{
    /// <summary>The most bytes of an answer's body read for diagnosis (the body stays whole for the caller).</summary>
    internal const int MaxDiagnosisBytes = 64 * 1024;

    private readonly GraphHostPolicy _hosts;
    private readonly bool _throw;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GraphAuthChain _chain;
    private readonly GraphPermissionCatalog _catalog;
    private readonly GraphAuthMetrics _metrics;

    public GraphAuthFailureHandler(
        GraphAuthOptions options, ILogger logger, GraphAuthChain chain, TimeProvider? time = null, GraphPermissionCatalog? catalog = null,
        GraphAuthMetrics? metrics = null)
    {
        _metrics = metrics ?? GraphAuthMetrics.Shared;
        _catalog = catalog ?? GraphPermissionCatalog.Default;
        _hosts = new GraphHostPolicy(options.AllowedHosts, options.Scopes);
        _throw = options.ThrowOnAuthFailure;
        _time = time ?? TimeProvider.System;
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

        // Whose request it is, asked before the send (a redirect followed inside strips the header, after which every
        // chain would think it its own); a message without headers answers at once.
        if (!_chain.Owns(request))
        {
            return base.SendAsync(request, cancellationToken);
        }

        // Nothing is stored per request: a diagnosis is tied to the answer it is about (GraphAuthFailureRecord), so
        // an outer retry's answer never carries the previous one's.
        var send = base.SendAsync(request, cancellationToken);

        // A response that is already here and is no failure goes back without an async state machine.
        return send.IsCompletedSuccessfully
            && send.Result.StatusCode is not (HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            ? send
            : ClassifyAsync(request, send, cancellationToken);
    }

    private async Task<HttpResponseMessage> ClassifyAsync(HttpRequestMessage request, Task<HttpResponseMessage> send, CancellationToken cancellationToken)
    {
        var response = await send.ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            || !_hosts.IsAllowed(request) || GraphAuthFailureRecord.Get(response) is not null)
        {
            // Not an auth answer, not Graph's, or already diagnosed by another chain inside this one.
            return response;
        }

        // What the challenge handler parsed and decided about this very answer, if it saw it: its claims and the
        // token it saw are used as they are, never parsed again. Only an answer it did not see (a 404, a request
        // another path produced) is parsed here.
        var challengeState = GraphChallengeState.Get(request);
        var decision = challengeState?.DecisionAbout(response);
        var claims = decision is not null ? decision.ClaimsJson : GraphAuthFailureContext.ClaimsOf(WwwAuthenticateParser.Parse(response.Headers));
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound && !MayBeAuthBadRequest(response, claims))
        {
            // A 400 that is neither Graph's JSON error nor a challenge is the caller's business: left untouched.
            return response;
        }

        byte[] prefix;
        try
        {
            prefix = await HttpBody.ReadPrefixAsync(response, MaxDiagnosisBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            response.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The connection failed while the error body was read: classify from the status and headers alone.
            prefix = [];
        }

        string? sentToken;
        GraphTokenInfo? token;
        if (decision is not null)
        {
            sentToken = decision.SentToken;
            token = decision.SentTokenInfo;
        }
        else
        {
            sentToken = GraphBearerHeader.Of(request)?.Token ?? (request.Headers.Authorization is { Scheme: var scheme, Parameter: var parameter }
                && string.Equals(scheme, "Bearer", StringComparison.OrdinalIgnoreCase) ? parameter : null);
            GraphTokenInfo.TryParse(sentToken, out token);
        }

        var bodyProperties = _catalog.NeedsRequestBody(request.Method, request.RequestUri)
            ? await RequestBodyProbe.ReadTopLevelPropertiesAsync(request, decision?.BodyReplayable ?? false, cancellationToken).ConfigureAwait(false)
            : null;
        var input = new GraphAuthFailureContext(
            response.StatusCode,
            request.Method,
            request.RequestUri,
            claims,
            GraphErrorBody.Parse(prefix),
            !string.IsNullOrWhiteSpace(sentToken),
            token,
            _time.GetUtcNow())
        {
            RequestIdHeader = Header(response, "request-id"),
            ClientRequestIdHeader = Header(response, "client-request-id"),
            Replayed = challengeState?.ReplayUsed ?? false,
            BodyNotReplayable = decision?.Outcome == GraphChallengeOutcome.RefusedBodyNotReplayable,
            ReplayRefusedReason = decision?.RefusedReason,
            RequestBodyProperties = bodyProperties,
        };

        var failure = GraphAuthFailureClassifier.Classify(input, _catalog);
        if (failure is null)
        {
            return response;
        }

        _metrics.Failed(failure.Cause);
        Log.AuthFailureClassified(
            _logger, request.Method.Method, GraphPath.Redact(request.RequestUri),
            (int)response.StatusCode, failure.Cause, failure.GraphErrorCode ?? "none", failure.RequestId ?? "none");
        if (_throw)
        {
            response.Dispose();
            throw failure;
        }

        GraphAuthFailureRecord.Set(request, response, failure);
        return response;
    }

    private static bool MayBeAuthBadRequest(HttpResponseMessage response, string? claims)
    {
        if (claims is not null)
        {
            return true;
        }

        var mediaType = response.Content?.Headers.ContentType?.MediaType;
        return mediaType is not null && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
