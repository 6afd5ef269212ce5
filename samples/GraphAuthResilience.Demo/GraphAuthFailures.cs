namespace GraphAuthResilience.Demo;

/// <summary>Finds the chain's exception in what a client threw (shared by the demo's commands and the graph-auth tool).</summary>
internal static class GraphAuthFailures
{
    /// <summary>GraphServiceClient may surface the chain's exception as it is or wrapped; find it.</summary>
    public static GraphAuthException? Unwrap(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is GraphAuthException graph)
            {
                return graph;
            }

            if (current is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(Unwrap).FirstOrDefault(e => e is not null);
            }
        }

        return null;
    }
}
