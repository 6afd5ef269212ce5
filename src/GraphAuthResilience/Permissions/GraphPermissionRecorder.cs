using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using GraphAuthResilience.Batching;
using GraphAuthResilience.Http;

namespace GraphAuthResilience.Permissions;

/// <summary>
/// Records each Graph call for <see cref="IGraphPermissionUsage"/>; given to the chain's token and challenge handlers
/// only when <see cref="GraphAuthOptions.RecordPermissionUse"/> is on, so with recording off the chain is exactly what
/// it was. The token handler hands it every send that reaches Graph with a bearer token (a replay is one more call),
/// with the token it attached: nothing is read from the headers again. The call is counted as it is sent, on the
/// sending thread, so an answer that comes later costs no continuation (no allocation): the token's permissions (read
/// once per token value), the method and the path (matched to the catalog's template: ids and query never kept). The
/// challenge handler, which sees every 401 and 403 anyway, reports those refusals (<see cref="Denied"/>). Each step of
/// a <c>POST /$batch</c> counts on its own, read from the body once the answer came; the batch handler, which reads
/// each step's status, reports the refused steps (<see cref="DeniedSteps"/>). It never fails a request:
/// anything that goes wrong while recording is counted and logged once.
/// </summary>
internal sealed class GraphPermissionRecorder(GraphPermissionUsage usage)
{
    private TokenPermissions? _last;

    /// <summary>Gets the token of a caller's own <c>Authorization: Bearer</c> header, if it has one.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The token, or <see langword="null"/>.</returns>
    public static string? CallerBearer(HttpRequestMessage request) =>
        request.Headers.Authorization is AuthenticationHeaderValue { Parameter: { Length: > 0 } token } header
        && string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            ? token
            : null;

    /// <summary>Records the call <paramref name="request"/> as it is sent; returns <paramref name="sending"/> itself, so
    /// an answer still to come costs nothing more (a <c>$batch</c>, whose steps are read from its body, is recorded when
    /// its answer comes).</summary>
    /// <param name="request">The request sent.</param>
    /// <param name="token">The bearer token it carried (never logged).</param>
    /// <param name="sending">The send.</param>
    /// <returns>The send's answer, unchanged.</returns>
    public Task<HttpResponseMessage> Observe(HttpRequestMessage request, string token, Task<HttpResponseMessage> sending)
    {
        if (IsBatch(request))
        {
            return RecordBatchWhenAnsweredAsync(request, token, sending);
        }

        // Counted now even when the answer is already here: a refusal is always counted by Denied, never twice.
        Record(request, token);
        return sending;
    }

    /// <summary>Records that Graph refused (401, 403) a call <see cref="Observe"/> counted before its answer came (a
    /// <c>$batch</c> refused as a whole is counted with its steps, when its answer comes).</summary>
    /// <param name="request">The request refused.</param>
    /// <param name="token">The bearer token it carried.</param>
    public void Denied(HttpRequestMessage request, string token)
    {
        try
        {
            if (request.RequestUri is { IsAbsoluteUri: true } uri && !IsBatch(request))
            {
                usage.RecordDenied(request.Method.Method, uri, PermissionsOf(token));
            }
        }
        catch (Exception ex)
        {
            usage.RecordingFailed(ex);
        }
    }

    /// <summary>Records the steps of a <c>$batch</c> that Graph refused (401, 403) in <paramref name="answers"/>: called by
    /// the batch handler, which reads each step's status from the answer's body (the steps themselves were counted when
    /// that answer came).</summary>
    /// <param name="steps">The batch's steps, as sent.</param>
    /// <param name="answers">Graph's answers to them (every answer's id is a step's).</param>
    /// <param name="token">The bearer token the batch carried (never logged), or <see langword="null"/>: nothing recorded.</param>
    /// <param name="only">Only these step ids (the steps of a re-send), or <see langword="null"/> for every answer.</param>
    public void DeniedSteps(BatchRequestDocument steps, BatchResponseDocument answers, string? token, IReadOnlySet<string>? only = null)
    {
        if (token is null)
        {
            return;
        }

        try
        {
            foreach (var answer in answers.Steps)
            {
                if (answer.Status is 401 or 403 && (only is null || only.Contains(answer.Id)) && steps.ById.TryGetValue(answer.Id, out var step))
                {
                    usage.RecordStepDenied(step.Method, step.Url, PermissionsOf(token));
                }
            }
        }
        catch (Exception ex)
        {
            usage.RecordingFailed(ex);
        }
    }

    /// <summary>A <c>POST /{version}/$batch</c>, recognised as the batch handler recognises it.</summary>
    private static bool IsBatch(HttpRequestMessage request) =>
        request.Method == HttpMethod.Post && request.RequestUri is { IsAbsoluteUri: true } uri
        && GraphBatchEndpoint.VersionOf(uri.AbsolutePath) is not null;

    private void Record(HttpRequestMessage request, string token)
    {
        try
        {
            if (request.RequestUri is { IsAbsoluteUri: true } uri)
            {
                usage.Record(request.Method.Method, uri, PermissionsOf(token));
            }
        }
        catch (Exception ex)
        {
            usage.RecordingFailed(ex);
        }
    }

    private async Task<HttpResponseMessage> RecordBatchWhenAnsweredAsync(HttpRequestMessage request, string token, Task<HttpResponseMessage> sending)
    {
        var response = await sending.ConfigureAwait(false);
        try
        {
            // The batch handler (outside) made the body readable again when it could (within MaxReplayBufferBytes).
            var body = await HttpBody.ReadRequestAsync(request, CancellationToken.None).ConfigureAwait(false);
            if (body is null || BatchRequestDocument.TryParse(body, out _) is not { } batch)
            {
                usage.BatchNotRead();
                return response;
            }

            // A batch refused as a whole (401, 403) refused every step; a step's own refusal sits in a 200's body, which
            // the batch handler reads (DeniedSteps).
            var permissions = PermissionsOf(token);
            var refused = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
            foreach (var step in batch.Steps)
            {
                usage.RecordStep(step.Method, step.Url, permissions);
                if (refused)
                {
                    usage.RecordStepDenied(step.Method, step.Url, permissions);
                }
            }
        }
        catch (Exception ex)
        {
            usage.RecordingFailed(ex);
        }

        return response;
    }

    /// <summary>The permissions of a token: the same token as the last request costs one reference comparison.</summary>
    private TokenPermissions PermissionsOf(string token)
    {
        var last = _last;
        return last is not null && ReferenceEquals(last.Token, token) ? last : ReadPermissions(token);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private TokenPermissions ReadPermissions(string token) => _last = usage.TokenFor(token);
}
