using System.Net;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Benchmarks.Infrastructure;

/// <summary>
/// The Testing package's <see cref="FakeGraph"/> set up to stand in for Graph under a benchmark: it records nothing
/// (bodies drained into a pooled counting sink, only the last request's parts kept), and answers a fresh 200 with no
/// body unless told otherwise, so it costs every variant the same and allocates nothing of its own per send.
/// </summary>
internal static class BenchmarkGraph
{
    public const string UsersUri = "https://graph.microsoft.com/v1.0/users/00000000-0000-0000-0000-000000000001";

    public static FakeGraph Create(Func<HttpRequestMessage, int, HttpResponseMessage?>? respond = null) =>
        new() { RecordsRequests = false, Respond = respond ?? Ok };

    private static HttpResponseMessage? Ok(HttpRequestMessage request, int number) => new(HttpStatusCode.OK);
}
