using System.Net.Http.Headers;
using GraphAuthResilience.Batching;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Graph;
using GraphAuthResilience.Http;

namespace GraphAuthResilience.Permissions;

/// <summary>
/// Records each Graph answer for <see cref="IGraphPermissionUsage"/>; in the chain only when
/// <see cref="GraphAuthOptions.RecordPermissionUse"/> is on, just outside the token handler, so it sees every send that
/// reaches Graph (a replay is one more answer) with the very header the token handler set on the message. After the
/// send it reads the bearer token (its permissions read once per token value), the method and the path (matched to
/// the catalog's template: ids and query never kept), and the status. Each step of a <c>POST /$batch</c> counts on
/// its own. It never fails a request: anything that goes wrong while recording is counted and logged once.
/// </summary>
internal sealed class GraphPermissionRecordingHandler : DelegatingHandler
{
    private readonly GraphPermissionUsage _usage;
    private readonly GraphAuthChain _chain;
    private readonly GraphHostPolicy _hosts;
    private TokenPermissions? _last;

    public GraphPermissionRecordingHandler(GraphPermissionUsage usage, GraphAuthOptions options, GraphAuthChain chain)
    {
        _usage = usage;
        _chain = chain;
        _hosts = new GraphHostPolicy(options.AllowedHosts, options.Scopes);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = base.Send(request, cancellationToken);
        Record(request, response);
        return response;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method == HttpMethod.Post && IsBatch(request.RequestUri))
        {
            return SendBatchAsync(request, cancellationToken);
        }

        var send = base.SendAsync(request, cancellationToken);
        if (send.IsCompletedSuccessfully)
        {
            Record(request, send.Result);
            return send;
        }

        return RecordWhenAnsweredAsync(request, send);
    }

    private static bool IsBatch(Uri? uri)
    {
        if (uri is not { IsAbsoluteUri: true })
        {
            return false;
        }

        var path = OperationPathIndex.PathOf(uri).TrimEnd('/');
        return path.EndsWith("/$batch", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/%24batch", StringComparison.OrdinalIgnoreCase);
    }

    private async Task<HttpResponseMessage> RecordWhenAnsweredAsync(HttpRequestMessage request, Task<HttpResponseMessage> send)
    {
        var response = await send.ConfigureAwait(false);
        Record(request, response);
        return response;
    }

    private void Record(HttpRequestMessage request, HttpResponseMessage response)
    {
        try
        {
            if (request.RequestUri is { IsAbsoluteUri: true } uri && TokenOf(request) is { } token)
            {
                _usage.Record(request.Method.Method, uri, token, (int)response.StatusCode);
            }
        }
        catch (Exception ex)
        {
            _usage.RecordingFailed(ex);
        }
    }

    private async Task<HttpResponseMessage> SendBatchAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            if (TokenOf(request) is not { } token)
            {
                return response;
            }

            // The batch handler (outside) made the body readable again when it could (within MaxReplayBufferBytes).
            var body = await HttpBody.ReadRequestAsync(request, CancellationToken.None).ConfigureAwait(false);
            if (body is null || BatchRequestDocument.TryParse(body, out _) is not { } batch)
            {
                _usage.BatchNotRead();
                return response;
            }

            foreach (var step in batch.Steps)
            {
                // A step's own status sits in the answer's body, which the batch handler reads; the steps are counted
                // as calls here, without a status of their own.
                _usage.RecordStep(step.Method, step.Url, token, 0);
            }
        }
        catch (Exception ex)
        {
            _usage.RecordingFailed(ex);
        }

        return response;
    }

    /// <summary>The permissions of the bearer token on the message: the one this chain's token handler attached, or a
    /// caller's own on a Graph host. The same token as the last request costs one reference comparison.</summary>
    private TokenPermissions? TokenOf(HttpRequestMessage request)
    {
        string? value;
        if (GraphBearerHeader.Of(request) is { } ours && ReferenceEquals(ours.Chain, _chain))
        {
            value = ours.Token;
        }
        else if (request.Headers.NonValidated.Count != 0 && request.Headers.Authorization is AuthenticationHeaderValue { Parameter: { } parameter } header
            && string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) && _hosts.IsAllowed(request))
        {
            value = parameter;
        }
        else
        {
            return null;
        }

        var last = _last;
        if (last is not null && ReferenceEquals(last.Token, value))
        {
            return last;
        }

        last = _usage.TokenFor(value);
        _last = last;
        return last;
    }
}
