using System.Net;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Telemetry;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Outermost handler: once everything inside has had its chance, a 400/401/403 from an allowed Graph host is
/// classified into a <see cref="GraphAuthException"/>, thrown, or (when
/// <see cref="GraphAuthOptions.ThrowOnAuthFailure"/> is off) attached to the response, which stays readable.
/// </summary>
internal sealed class GraphAuthFailureHandler : DelegatingHandler
{
    private readonly GraphHostPolicy _hosts;
    private readonly bool _throw;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _chainName;
    private readonly GraphPermissionCatalog _catalog;

    public GraphAuthFailureHandler(GraphAuthOptions options, ILogger logger, TimeProvider? time = null, string? chainName = null, GraphPermissionCatalog? catalog = null)
    {
        _catalog = catalog ?? GraphPermissionCatalog.Default;
        _hosts = new GraphHostPolicy(options.AllowedHosts);
        _throw = options.ThrowOnAuthFailure;
        _time = time ?? TimeProvider.System;
        _logger = logger;
        _chainName = chainName;
    }

    internal static GraphAuthException? GetFailure(HttpResponseMessage response) =>
        GraphAuthRequestContext.Get(response.RequestMessage)?.Failure;

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _hosts.IsAllowed(request.RequestUri) ? throw GraphHostPolicy.SynchronousSendRefused() : base.Send(request, cancellationToken);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = GraphAuthRequestContext.GetOrCreate(request);
        if (!context.IsHandledBy(_chainName))
        {
            return base.SendAsync(request, cancellationToken);
        }

        // A request sent again (an outer retry) starts without the diagnosis of its previous answer.
        context.Failure = null;

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
            || !_hosts.IsAllowed(request.RequestUri))
        {
            return response;
        }

        var challenges = WwwAuthenticateParser.Parse(response.Headers);
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound && !MayBeAuthBadRequest(response, challenges))
        {
            // A 400 that is neither Graph's JSON error nor a challenge is the caller's business: left untouched.
            return response;
        }

        var context = GraphAuthRequestContext.Get(request);
        byte[] prefix;
        try
        {
            prefix = await BoundedBody.ReadPrefixAsync(response, cancellationToken).ConfigureAwait(false);
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

        var sentToken = context?.SentToken ?? (request.Headers.Authorization is { Scheme: var scheme, Parameter: var parameter }
            && string.Equals(scheme, "Bearer", StringComparison.OrdinalIgnoreCase) ? parameter : null);
        GraphTokenInfo.TryParse(sentToken, out var token);
        var bodyProperties = _catalog.NeedsRequestBody(request.Method, request.RequestUri)
            ? await RequestBodyProbe.ReadTopLevelPropertiesAsync(request, context?.BodyReplayable ?? false, cancellationToken).ConfigureAwait(false)
            : null;
        var input = new GraphAuthFailureContext(
            response.StatusCode,
            request.Method,
            request.RequestUri,
            challenges,
            GraphErrorBody.Parse(prefix),
            !string.IsNullOrWhiteSpace(sentToken),
            token,
            _time.GetUtcNow())
        {
            RequestIdHeader = Header(response, "request-id"),
            ClientRequestIdHeader = Header(response, "client-request-id"),
            Replayed = context?.Replayed ?? false,
            BodyNotReplayable = context?.BodyNotReplayable ?? false,
            ReplayRefusedReason = context?.ReplayRefusedReason,
            RequestBodyProperties = bodyProperties,
        };

        var failure = GraphAuthFailureClassifier.Classify(input, _catalog);
        if (failure is null)
        {
            return response;
        }

        GraphAuthTelemetry.Failures.Add(1, new KeyValuePair<string, object?>(GraphAuthTelemetry.CauseTag, failure.Cause.ToString()));
        Log.AuthFailureClassified(
            _logger, request.Method.Method, GraphPath.Redact(request.RequestUri),
            (int)response.StatusCode, failure.Cause, failure.GraphErrorCode ?? "none", failure.RequestId ?? "none");
        if (_throw)
        {
            response.Dispose();
            throw failure;
        }

        if (context is not null)
        {
            context.Failure = failure;
        }

        return response;
    }

    private static bool MayBeAuthBadRequest(HttpResponseMessage response, IReadOnlyList<AuthenticationChallenge> challenges)
    {
        if (ClaimsChallenge.Find(challenges) is not null)
        {
            return true;
        }

        var mediaType = response.Content?.Headers.ContentType?.MediaType;
        return mediaType is not null && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
