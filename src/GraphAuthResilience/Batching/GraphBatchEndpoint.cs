using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Batching;

/// <summary>
/// Recognises a JSON batch: <c>POST https://{allowed host}/v1.0/$batch</c> or <c>/beta/$batch</c> (the <c>$</c> may
/// arrive percent-encoded). Nothing else is treated as a batch.
/// </summary>
internal static class GraphBatchEndpoint
{
    /// <summary>Gets the API version of a batch request (<c>v1.0</c> or <c>beta</c>), or <see langword="null"/>.</summary>
    public static string? Version(HttpRequestMessage request, GraphHostPolicy hosts)
    {
        if (request.Method != HttpMethod.Post || !hosts.IsAllowed(request))
        {
            return null;
        }

        return VersionOf(request.RequestUri!.AbsolutePath);
    }

    internal static string? VersionOf(string absolutePath)
    {
        var path = absolutePath.AsSpan();
        if (path.Length > 1 && path[^1] == '/')
        {
            path = path[..^1];
        }

        ReadOnlySpan<char> version;
        if (path.StartsWith("/v1.0/", StringComparison.OrdinalIgnoreCase))
        {
            version = "v1.0";
        }
        else if (path.StartsWith("/beta/", StringComparison.OrdinalIgnoreCase))
        {
            version = "beta";
        }
        else
        {
            return null;
        }

        var rest = path[(version.Length + 2)..];
        return IsBatchSegment(rest) ? version.ToString() : null;
    }

    /// <summary>Whether a relative step URL points at <c>$batch</c> itself (a nested batch, which Graph refuses).</summary>
    internal static bool IsNestedBatch(string stepUrl)
    {
        var path = stepUrl.AsSpan();
        var query = path.IndexOfAny('?', '#');
        if (query >= 0)
        {
            path = path[..query];
        }

        path = path.Trim().TrimEnd('/');
        var slash = path.LastIndexOf('/');
        return IsBatchSegment(slash >= 0 ? path[(slash + 1)..] : path);
    }

    private static bool IsBatchSegment(ReadOnlySpan<char> segment) =>
        segment.Equals("$batch", StringComparison.OrdinalIgnoreCase) || segment.Equals("%24batch", StringComparison.OrdinalIgnoreCase);
}
