namespace GraphAuthResilience.Chain;

/// <summary>
/// Per-request part 4, <b>the failure</b>: the diagnosis of an answer, kept for
/// <see cref="GraphAuthHttpResponseMessageExtensions.GetGraphAuthFailure"/> when
/// <see cref="GraphAuthOptions.ThrowOnAuthFailure"/> is off. Written only by the failure handler.
/// </summary>
/// <remarks>Lifetime: one answer. It is tied to its response by reference, so the diagnosis of a first answer never
/// sticks to the answer of an outer retry of the same message.</remarks>
internal sealed class GraphAuthFailureRecord
{
    private static readonly HttpRequestOptionsKey<GraphAuthFailureRecord> Key = new(GraphRequestOptionKeys.Failure);

    private GraphAuthFailureRecord(HttpResponseMessage response, GraphAuthException failure)
    {
        Response = response;
        Failure = failure;
    }

    /// <summary>Gets the answer diagnosed.</summary>
    public HttpResponseMessage Response { get; }

    /// <summary>Gets the diagnosis.</summary>
    public GraphAuthException Failure { get; }

    /// <summary>Records <paramref name="failure"/> as the diagnosis of <paramref name="response"/>.</summary>
    /// <param name="request">The request answered.</param>
    /// <param name="response">The answer.</param>
    /// <param name="failure">The diagnosis.</param>
    public static void Set(HttpRequestMessage request, HttpResponseMessage response, GraphAuthException failure) =>
        request.Options.Set(Key, new GraphAuthFailureRecord(response, failure));

    /// <summary>Gets the diagnosis of <paramref name="response"/>, if one was recorded.</summary>
    /// <param name="response">The answer.</param>
    /// <returns>The diagnosis, or <see langword="null"/>.</returns>
    public static GraphAuthException? Get(HttpResponseMessage response) =>
        response.RequestMessage is { } request && request.Options.TryGetValue(Key, out var record) && ReferenceEquals(record.Response, response)
            ? record.Failure
            : null;
}
