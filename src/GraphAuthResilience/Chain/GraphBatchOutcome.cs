namespace GraphAuthResilience.Chain;

/// <summary>
/// Per-request part 5, <b>the batch outcome</b>: what the <c>$batch</c> handler found in a batch answer, the diagnosis of
/// each step still failing with 400/401/403, by step id. Written only by the <c>$batch</c> handler, and only when a
/// step still fails; read by <see cref="GraphBatchHttpResponseMessageExtensions.GetGraphBatchAuthFailures"/>.
/// </summary>
/// <remarks>Lifetime: one answer. It is tied to its response by reference, so the outcome of a first answer never
/// sticks to the answer of an outer retry of the same message.</remarks>
internal sealed class GraphBatchOutcome
{
    private static readonly HttpRequestOptionsKey<GraphBatchOutcome> Key = new(GraphRequestOptionKeys.BatchOutcome);

    private GraphBatchOutcome(HttpResponseMessage response, IReadOnlyDictionary<string, GraphAuthException> failures)
    {
        Response = response;
        Failures = failures;
    }

    /// <summary>Gets the batch answer the outcome is about.</summary>
    public HttpResponseMessage Response { get; }

    /// <summary>Gets the diagnosis of each step still failing, by step id.</summary>
    public IReadOnlyDictionary<string, GraphAuthException> Failures { get; }

    /// <summary>Gets the outcome of <paramref name="response"/>, if one was recorded for that very answer.</summary>
    /// <param name="response">The batch answer.</param>
    /// <returns>The outcome, or <see langword="null"/>.</returns>
    public static GraphBatchOutcome? Get(HttpResponseMessage response) =>
        response.RequestMessage is { } request && request.Options.TryGetValue(Key, out var outcome) && ReferenceEquals(outcome.Response, response)
            ? outcome
            : null;

    /// <summary>Records <paramref name="failures"/> as the outcome of <paramref name="response"/>.</summary>
    /// <param name="request">The batch request.</param>
    /// <param name="response">The answer handed back to the caller.</param>
    /// <param name="failures">The diagnosis of each step still failing.</param>
    public static void Set(HttpRequestMessage request, HttpResponseMessage response, IReadOnlyDictionary<string, GraphAuthException> failures) =>
        request.Options.Set(Key, new GraphBatchOutcome(response, failures));

    /// <summary>Forgets the outcome of an earlier send of the same request (an outer retry starts afresh).</summary>
    /// <param name="request">The batch request.</param>
    public static void Clear(HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(Key, out _))
        {
            ((IDictionary<string, object?>)request.Options).Remove(Key.Key);
        }
    }
}
