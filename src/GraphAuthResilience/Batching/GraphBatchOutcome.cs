using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Batching;

/// <summary>
/// What the batch handler found in a batch answer, kept with the request (written by the batch handler only, and
/// only when a step still fails): the diagnosis of each step still failing with 400/401/403, by step id.
/// </summary>
internal sealed class GraphBatchOutcome(IReadOnlyDictionary<string, GraphAuthException> failures)
{
    internal const string KeyName = "GraphAuthResilience.Batch";
    private static readonly HttpRequestOptionsKey<GraphBatchOutcome> Key = new(KeyName);

    public IReadOnlyDictionary<string, GraphAuthException> Failures { get; } = failures;

    public static GraphBatchOutcome? Get(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(Key, out var outcome) ? outcome : null;

    public static void Set(HttpRequestMessage request, GraphBatchOutcome outcome) => request.Options.Set(Key, outcome);

    /// <summary>Forgets the outcome of an earlier send of the same request (an outer retry starts afresh).</summary>
    public static void Clear(HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(Key, out _))
        {
            ((IDictionary<string, object?>)request.Options).Remove(KeyName);
        }
    }
}
