namespace GraphAuthResilience.Testing;

/// <summary>One step of a JSON batch (<c>POST /$batch</c>) as <see cref="FakeGraph"/> runs it.</summary>
public sealed class FakeGraphBatchStep
{
    internal FakeGraphBatchStep(string id, string method, string url, string? bodyJson, string? tokenHash, int run, int batch)
    {
        Id = id;
        Method = method;
        Url = url;
        BodyJson = bodyJson;
        TokenHash = tokenHash;
        Run = run;
        Batch = batch;
    }

    /// <summary>Gets the step's <c>id</c>.</summary>
    public string Id { get; }

    /// <summary>Gets the step's <c>method</c>.</summary>
    public string Method { get; }

    /// <summary>Gets the step's relative <c>url</c> (for example <c>/users/{id}</c>).</summary>
    public string Url { get; }

    /// <summary>Gets the step's <c>body</c> as JSON text, or <see langword="null"/> without one.</summary>
    public string? BodyJson { get; }

    /// <summary>Gets the hash of the batch's bearer token (<see cref="FakeGraphRequest.HashToken"/>), or <see langword="null"/>.</summary>
    public string? TokenHash { get; }

    /// <summary>Gets how many times a step with this id has run at this fake Graph, this run included (1 the first time).</summary>
    public int Run { get; }

    /// <summary>Gets the 1-based number of the send that carried the batch.</summary>
    public int Batch { get; }

    /// <summary>Gets a value indicating whether the batch carried exactly <paramref name="token"/>.</summary>
    /// <param name="token">The token expected.</param>
    /// <returns><see langword="true"/> when the hashes match.</returns>
    public bool Carries(string? token) => TokenHash is not null && string.Equals(TokenHash, FakeGraphRequest.HashToken(token), StringComparison.Ordinal);
}
