using System.Collections.ObjectModel;
using GraphAuthResilience.Chain;

namespace GraphAuthResilience;

/// <summary>Reads the chain's per-step diagnosis of a JSON batch (<c>POST /$batch</c>) answer.</summary>
public static class GraphBatchHttpResponseMessageExtensions
{
    private static readonly IReadOnlyDictionary<string, GraphAuthException> None =
        new ReadOnlyDictionary<string, GraphAuthException>(new Dictionary<string, GraphAuthException>(StringComparer.Ordinal));

    /// <summary>
    /// Gets the steps of a batch answer that still fail with 400, 401 or 403 after the chain's one fix, each
    /// diagnosed like a single request (cause, remediation, required permissions, ids), by step id. A batch with
    /// failed steps is a partial success: it is never thrown as a whole, whatever
    /// <see cref="GraphAuthOptions.ThrowOnAuthFailure"/> says.
    /// </summary>
    /// <param name="response">A response to a <c>POST /v1.0/$batch</c> or <c>/beta/$batch</c> sent through the chain.</param>
    /// <returns>The failures by step id; empty when no step failed, when the response is no batch answer, or when
    /// the answer could not be read (too large, not JSON, malformed).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static IReadOnlyDictionary<string, GraphAuthException> GetGraphBatchAuthFailures(this HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return GraphBatchOutcome.Get(response)?.Failures ?? None;
    }
}
