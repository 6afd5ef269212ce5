using System.Net.Http.Headers;
using GraphAuthResilience.Batching;
using GraphAuthResilience.Http;

namespace GraphAuthResilience.Permissions;

/// <summary>
/// Records each Graph answer for <see cref="IGraphPermissionUsage"/>; given to the token handler only when
/// <see cref="GraphAuthOptions.RecordPermissionUse"/> is on, so with recording off the token path is exactly what it
/// was. The token handler hands it every send that reaches Graph with a bearer token (a replay is one more answer),
/// with the token it attached: nothing is read from the headers again. After the send it takes the token's permissions
/// (read once per token value), the method and the path (matched to the catalog's template: ids and query never
/// kept), and the status. Each step of a <c>POST /$batch</c> counts on its own. It never fails a request: anything that
/// goes wrong while recording is counted and logged once.
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

    /// <summary>Records the answer of <paramref name="sending"/> once it comes; returns the same answer.</summary>
    /// <param name="request">The request sent.</param>
    /// <param name="token">The bearer token it carried (never logged).</param>
    /// <param name="sending">The send.</param>
    /// <returns>The send's answer, unchanged.</returns>
    public Task<HttpResponseMessage> Observe(HttpRequestMessage request, string token, Task<HttpResponseMessage> sending)
    {
        if (request.Method == HttpMethod.Post && IsBatch(request.RequestUri))
        {
            return RecordBatchWhenAnsweredAsync(request, token, sending);
        }

        if (sending.IsCompletedSuccessfully)
        {
            Record(request, token, sending.Result);
            return sending;
        }

        return RecordWhenAnsweredAsync(request, token, sending);
    }

    /// <summary>A <c>POST /{version}/$batch</c>, recognised as the batch handler recognises it.</summary>
    private static bool IsBatch(Uri? uri) =>
        uri is { IsAbsoluteUri: true } && GraphBatchEndpoint.VersionOf(uri.AbsolutePath) is not null;

    private async Task<HttpResponseMessage> RecordWhenAnsweredAsync(HttpRequestMessage request, string token, Task<HttpResponseMessage> sending)
    {
        var response = await sending.ConfigureAwait(false);
        Record(request, token, response);
        return response;
    }

    private void Record(HttpRequestMessage request, string token, HttpResponseMessage response)
    {
        try
        {
            if (request.RequestUri is { IsAbsoluteUri: true } uri)
            {
                usage.Record(request.Method.Method, uri, PermissionsOf(token), (int)response.StatusCode);
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

            var permissions = PermissionsOf(token);
            foreach (var step in batch.Steps)
            {
                // A step's own status sits in the answer's body, which the batch handler reads; the steps are counted
                // as calls here, without a status of their own.
                usage.RecordStep(step.Method, step.Url, permissions, 0);
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
        if (last is not null && ReferenceEquals(last.Token, token))
        {
            return last;
        }

        last = usage.TokenFor(token);
        _last = last;
        return last;
    }
}
