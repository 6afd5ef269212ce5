using System.Net;
using System.Text;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Http;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Telemetry;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Batching;

/// <summary>
/// Looks inside JSON batch answers (<c>POST /v1.0/$batch</c>, <c>/beta/$batch</c> on an allowed host), where Graph
/// answers 200 and hides each step's 401/403 in the body. Steps that failed with what a token fixes (a claims
/// challenge in the step's headers, or a 401 a refresh fixes) get one claims acquisition or one refresh for the
/// whole batch and one re-send of a new batch with only those steps (and the steps that failed 424 because of them);
/// the answers are merged back under their ids, where they stood. Once per batch, never more. Steps that succeeded
/// or failed otherwise are never sent again. Steps still failing 400/401/403 are diagnosed like single requests
/// and kept for <see cref="GraphBatchHttpResponseMessageExtensions.GetGraphBatchAuthFailures"/>; the batch is
/// never thrown as a whole. Anything it cannot trust (too large, not JSON, malformed, unknown or duplicate ids,
/// nested batches) is handed back as Graph sent it.
/// </summary>
internal sealed class GraphBatchHandler : DelegatingHandler
{
    private readonly GraphHostPolicy _hosts;
    private readonly long _maxResponseBytes;
    private readonly long _maxRequestBytes;
    private readonly BatchStepDiagnoser _diagnose;
    private readonly BatchRevokedToken? _revoked;
    private readonly ILogger _logger;
    private readonly GraphAuthChain _chain;
    private readonly GraphAuthMetrics _metrics;
    private readonly GraphPermissionRecorder? _recorder;

    public GraphBatchHandler(
        GraphAuthOptions options, BatchStepDiagnoser diagnose, BatchRevokedToken? revoked, ILogger logger, GraphAuthChain chain,
        GraphAuthMetrics? metrics = null, GraphPermissionRecorder? recorder = null)
    {
        _recorder = recorder;
        _metrics = metrics ?? GraphAuthMetrics.Shared;
        _hosts = new GraphHostPolicy(options.AllowedHosts, options.Scopes);
        _maxResponseBytes = options.MaxBatchResponseBytes;
        _maxRequestBytes = options.MaxReplayBufferBytes;
        _diagnose = diagnose;
        _revoked = revoked;
        _logger = logger;
        _chain = chain;
    }

    // Synchronous Send passes through: a batch sent synchronously reaches the token handler, which refuses it
    // when it needs a token (the chain is async-only where a token goes).
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.Send(request, cancellationToken);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_maxResponseBytes == 0 || GraphBatchEndpoint.Version(request, _hosts) is not { } version)
        {
            return base.SendAsync(request, cancellationToken);
        }

        if (!_chain.Owns(request))
        {
            return base.SendAsync(request, cancellationToken);
        }

        GraphBatchOutcome.Clear(request);
        return SendBatchAsync(request, version, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendBatchAsync(
        HttpRequestMessage request, string version, CancellationToken cancellationToken)
    {
        var requestReadable = await HttpBody.PrepareReplayAsync(request, _maxRequestBytes, cancellationToken).ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK || !HttpBody.IsReadableJson(response.Content))
        {
            return response; // The batch as a whole failed (the other handlers dealt with it), or not a JSON answer.
        }

        var path = "/" + version + "/$batch";
        byte[]? answer;
        try
        {
            answer = await HttpBody.ReadWholeAsync(response, _maxResponseBytes, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw; // The connection failed while the answer was read: the caller would have met the same.
        }

        if (answer is null)
        {
            Log.BatchNotInspected(_logger, path, $"larger than MaxBatchResponseBytes ({_maxResponseBytes})");
            return response;
        }

        if (!BatchResponseDocument.MayHoldAuthFailure(answer))
        {
            return response; // No step answered 400, 401 or 403: nothing to fix or diagnose (the usual case).
        }

        if (BatchResponseDocument.TryParse(answer, out var reason) is not { } first)
        {
            Log.BatchNotInspected(_logger, path, reason);
            return response;
        }

        if (!first.HasAuthFailures)
        {
            return response; // Every step succeeded or failed for reasons that are not auth: nothing to do.
        }

        var sent = requestReadable ? await HttpBody.ReadRequestAsync(request, cancellationToken).ConfigureAwait(false) : null;
        if (sent is null)
        {
            Log.BatchNotInspected(_logger, path, "the request body could not be read again (longer than MaxReplayBufferBytes)");
            return response;
        }

        if (BatchRequestDocument.TryParse(sent, out reason) is not { } steps || !Matches(steps, first, out reason))
        {
            Log.BatchNotInspected(_logger, path, reason);
            return response;
        }

        var final = first;
        var finalBytes = answer;
        // The token our chain attached (a caller's own header is the caller's business): the header says it was ours.
        var sentHeader = GraphBearerHeader.Of(request) is { } attached && ReferenceEquals(attached.Chain, _chain) ? attached : null;
        var sentToken = sentHeader?.Token;
        // Permission recording (when on): the steps Graph refused count as refused calls, as a single request's 401/403.
        _recorder?.DeniedSteps(steps, first, sentToken ?? BearerOf(request));
        string? resendToken = null;
        IReadOnlySet<string> resent = new HashSet<string>();
        GraphAuthException? acquisitionFailure = null;
        var readings = new BatchStepReadings(); // each step's challenge and each token read once for the whole batch
        var plan = BatchResendPlan.Create(steps, first, readings.ClaimsOf);
        if (plan is not null && WhyNotResend(sentToken, readings) is { } refused)
        {
            Log.BatchResendSkipped(_logger, path, Ids(plan.FixableIds), refused);
        }
        else if (plan is not null)
        {
            Log.BatchStepsResent(_logger, path, Ids(plan.FixableIds), plan.Claims is null ? "refresh" : "claims challenge", plan.Steps.Count);
            _metrics.Replayed(plan.Claims is null ? "batch_refresh" : "batch_claims_challenge");
            resent = plan.Ids;
            var outcome = await ResendAsync(request, sentHeader?.Partition, sentToken!, plan, sent, first, answer, path, cancellationToken).ConfigureAwait(false);
            if (outcome.CallerCancelled)
            {
                response.Dispose();
                cancellationToken.ThrowIfCancellationRequested();
            }

            acquisitionFailure = outcome.AcquisitionFailure;
            resendToken = outcome.Token;
            if (outcome.Merged is { } merged)
            {
                finalBytes = merged.Bytes;
                final = merged.Document;
                _recorder?.DeniedSteps(steps, final, resendToken, resent); // the re-sent steps' own answers
                response.Content = HttpBody.CopyHeaders(response.Content, new ByteArrayContent(finalBytes), keepLength: false);
            }
            else
            {
                resent = new HashSet<string>(); // Nothing came back: every step is as Graph first answered it.
            }
        }

        var failures = Diagnose(request, version, steps, final, finalBytes, sent, sentToken, resendToken, resent, plan, acquisitionFailure, readings);
        if (failures.Count > 0)
        {
            GraphBatchOutcome.Set(request, response, failures);
            foreach (var failure in failures.Values)
            {
                _metrics.Failed(failure.Cause);
            }

            Log.BatchStepsFailed(_logger, path, failures.Count, final.Steps.Count, Describe(failures, steps, request, version));
        }

        return response;
    }

    /// <summary>Every answer must belong to a step that was sent.</summary>
    private static bool Matches(BatchRequestDocument steps, BatchResponseDocument answers, out string reason)
    {
        foreach (var answer in answers.Steps)
        {
            if (!steps.ById.ContainsKey(answer.Id))
            {
                reason = "an answer for a step that was not sent";
                return false;
            }
        }

        reason = string.Empty;
        return true;
    }

    private static string? WhyNotResend(string? sentToken, BatchStepReadings readings)
    {
        if (sentToken is null)
        {
            return "the batch did not carry a token of this chain (a caller-set Authorization header is the caller's business)";
        }

        if (readings.TokenInfo(sentToken) is { } info && (!info.IsGraphAudience || info.IsPersonalAccount))
        {
            // Another token from the same source would have the same audience and account.
            return info.IsPersonalAccount ? "personal account" : "wrong audience";
        }

        return null;
    }

    private async Task<ResendOutcome> ResendAsync(
        HttpRequestMessage request, string? partition, string sentToken, BatchResendPlan plan, byte[] sent,
        BatchResponseDocument first, byte[] firstBytes, string path, CancellationToken cancellationToken)
    {
        using var resend = CreateResend(request, plan.BuildBody(sent));
        // The re-send needs a token that meets the claims (or any token but the rejected one), and is itself the one
        // fix: the challenge handler must not replay it (once per batch).
        using var directive = GraphSendDirective.Apply(resend, _chain, plan.Claims, sentToken, partition, isReplay: true);

        HttpResponseMessage second;
        try
        {
            second = await base.SendAsync(resend, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new ResendOutcome { CallerCancelled = true };
        }
        catch (GraphAuthException ex)
        {
            // No token for the re-send (consent, interaction, a broken source): that is each fixable step's cause.
            Log.BatchResendFailed(_logger, path, "token acquisition failed: " + ex.Cause);
            return new ResendOutcome { AcquisitionFailure = ex };
        }
        catch (Exception ex)
        {
            // The steps that ran keep their answers; a failure of the re-send never loses them.
            Log.BatchResendFailed(_logger, path, ex.GetType().Name);
            return default;
        }

        using (second)
        {
            var resentHeader = GraphBearerHeader.Of(resend);
            var token = resentHeader?.Token;
            if (second.StatusCode != HttpStatusCode.OK || !HttpBody.IsReadableJson(second.Content))
            {
                Log.BatchResendFailed(_logger, path, "status " + (int)second.StatusCode);
                return new ResendOutcome { Token = token };
            }

            byte[]? secondBytes;
            try
            {
                secondBytes = await HttpBody.ReadWholeAsync(second, _maxResponseBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new ResendOutcome { CallerCancelled = true };
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
            {
                Log.BatchResendFailed(_logger, path, ex.GetType().Name);
                return new ResendOutcome { Token = token };
            }

            var reason = "larger than MaxBatchResponseBytes";
            if (secondBytes is null || BatchResponseDocument.TryParse(secondBytes, out reason) is not { } secondDocument)
            {
                Log.BatchResendFailed(_logger, path, reason);
                return new ResendOutcome { Token = token };
            }

            if (secondDocument.Steps.Any(s => !plan.Ids.Contains(s.Id)))
            {
                Log.BatchResendFailed(_logger, path, "an answer for a step that was not re-sent");
                return new ResendOutcome { Token = token };
            }

            if (plan.Claims is not null && resentHeader?.Scopes is { } scopes
                && secondDocument.Steps.Any(s => s.Status is >= 200 and < 300))
            {
                // The claims were met: later requests without claims must not get the token Graph revoked.
                _revoked?.Invoke(partition, scopes, sentToken);
            }

            var merged = BatchResendPlan.Merge(firstBytes, first, secondBytes, secondDocument);
            if (BatchResponseDocument.TryParse(merged, out reason) is not { } mergedDocument)
            {
                Log.BatchResendFailed(_logger, path, reason);
                return new ResendOutcome { Token = token };
            }

            return new ResendOutcome { Token = token, Merged = (merged, mergedDocument) };
        }
    }

    private static HttpRequestMessage CreateResend(HttpRequestMessage original, byte[] body)
    {
        var resend = new HttpRequestMessage(HttpMethod.Post, original.RequestUri)
        {
            Version = original.Version,
            VersionPolicy = original.VersionPolicy,
            Content = new ByteArrayContent(body),
        };
        foreach (var header in original.Headers.NonValidated)
        {
            if (!string.Equals(header.Key, "Authorization", StringComparison.OrdinalIgnoreCase))
            {
                resend.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        if (original.Content is { } content)
        {
            HttpBody.CopyHeaders(content, resend.Content, keepLength: false);
        }

        if (resend.Content.Headers.ContentType is null)
        {
            resend.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        }

        var options = (IDictionary<string, object?>)resend.Options;
        foreach (var option in original.Options)
        {
            if (!GraphRequestOptionKeys.IsChainState(option.Key))
            {
                options[option.Key] = option.Value;
            }
        }

        return resend;
    }

    private Dictionary<string, GraphAuthException> Diagnose(
        HttpRequestMessage request, string version, BatchRequestDocument steps, BatchResponseDocument answers, byte[] answerBytes,
        byte[] sent, string? sentToken, string? resendToken, IReadOnlySet<string> resent, BatchResendPlan? plan,
        GraphAuthException? acquisitionFailure, BatchStepReadings readings)
    {
        var failures = new Dictionary<string, GraphAuthException>(StringComparer.Ordinal);
        foreach (var answer in answers.Steps)
        {
            if (!answer.IsAuthFailure)
            {
                continue;
            }

            if (acquisitionFailure is not null && plan is not null && plan.Ids.Contains(answer.Id))
            {
                failures[answer.Id] = acquisitionFailure;
                continue;
            }

            var step = steps.ById[answer.Id];
            var wasResent = resent.Contains(answer.Id);
            var stepToken = wasResent ? resendToken ?? sentToken : sentToken ?? BearerOf(request);
            var failure = DiagnoseStep(new BatchStepFailure(
                answer.Id,
                (HttpStatusCode)answer.Status,
                MethodOf(step),
                StepUri(request.RequestUri!, version, step.Url),
                readings.ClaimsOf(answer.WwwAuthenticate),
                BatchResponseDocument.BodyBytes(answerBytes, answer),
                stepToken,
                readings.TokenInfo(stepToken),
                wasResent)
            {
                RequestIdHeader = answer.RequestId,
                ClientRequestIdHeader = answer.ClientRequestId,
                RequestJsonBody = step.JsonBody.Start >= 0 ? sent.AsMemory(step.JsonBody.Start..step.JsonBody.End) : default,
            });
            if (failure is not null)
            {
                failures[answer.Id] = failure;
            }
        }

        return failures;
    }

    /// <summary>One step's diagnosis; a step the classifier cannot read stays undiagnosed rather than costing the
    /// caller the whole batch answer.</summary>
    private GraphAuthException? DiagnoseStep(BatchStepFailure step)
    {
        try
        {
            return _diagnose(step);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.BatchNotInspected(_logger, "step " + SafeText.StepId(step.Id), "its diagnosis failed (" + ex.GetType().Name + ")");
            return null;
        }
    }

    private static string? BearerOf(HttpRequestMessage request) =>
        request.Headers.Authorization is { Scheme: var scheme, Parameter: var parameter }
        && string.Equals(scheme, "Bearer", StringComparison.OrdinalIgnoreCase) ? parameter : null;

    private static HttpMethod MethodOf(BatchRequestStep step)
    {
        try
        {
            return new HttpMethod(step.Method.ToUpperInvariant());
        }
        catch (FormatException)
        {
            return HttpMethod.Get;
        }
    }

    /// <summary>A step's URL against the batch's host and version: <c>/me</c> in a v1.0 batch is <c>https://host/v1.0/me</c>.</summary>
    internal static Uri? StepUri(Uri batchUri, string version, string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var absolute)
            && (absolute.Scheme == Uri.UriSchemeHttps || absolute.Scheme == Uri.UriSchemeHttp))
        {
            return absolute;
        }

        var relative = url.TrimStart('/');
        return Uri.TryCreate(batchUri, "/" + version + "/" + relative, out var resolved) ? resolved : null;
    }

    private static string Describe(Dictionary<string, GraphAuthException> failures, BatchRequestDocument steps, HttpRequestMessage request, string version)
    {
        var text = new StringBuilder();
        foreach (var (id, failure) in failures)
        {
            if (text.Length > 0)
            {
                text.Append("; ");
            }

            var step = steps.ById[id];
            text.Append(SafeText.StepId(id)).Append(": ").Append(failure.Cause)
                .Append(" (").Append(MethodOf(step).Method).Append(' ')
                .Append(BatchStepDiagnosis.RedactPath(StepUri(request.RequestUri!, version, step.Url))).Append(')');
        }

        return text.ToString();
    }

    private static string Ids(IEnumerable<string> ids) => string.Join(", ", ids.Select(SafeText.StepId));

    private readonly record struct ResendOutcome
    {
        public bool CallerCancelled { get; init; }

        public GraphAuthException? AcquisitionFailure { get; init; }

        public string? Token { get; init; }

        public (byte[] Bytes, BatchResponseDocument Document)? Merged { get; init; }
    }
}
