using System.Net;
using System.Text;
using System.Text.Json;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>
/// The real Graph error bodies and headers of Samples/graph-error-samples.md (S1..S27, sources cited there), with made-up ids.
/// </summary>
internal static class GraphErrorSamples
{
    public const string RequestId = "7d2f1c3e-9a4b-4c5d-8e6f-0a1b2c3d4e5f";
    public const string Date = "2024-03-12T09:41:07";

    public const string PlainChallenge = GraphResponses.PlainChallenge;

    public const string S25Challenge = Challenges.ChallengeSamples.S25Header;

    public const string S25Claims = Challenges.ChallengeSamples.S25Claims;

    public const string S25Body = Challenges.ChallengeSamples.S25Body;

    public const string S25RequestId = "c41e8b07-35d2-4a9f-b6e8-90a1f2d4c356";

    public const string S26Challenge = GraphResponses.UnquotedClaimsChallenge;

    public const string S26Claims = GraphResponses.UnquotedClaimsJson;

    /// <summary>Graph's error body: <c>{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}</c>.</summary>
    public static string Body(string code, string message, string requestId = RequestId, bool clientRequestId = true) =>
        JsonSerializer.Serialize(new
        {
            error = new
            {
                code,
                message,
                innerError = clientRequestId
                    ? (object)new Dictionary<string, string> { ["date"] = Date, ["request-id"] = requestId, ["client-request-id"] = requestId }
                    : new Dictionary<string, string> { ["request-id"] = requestId, ["date"] = Date },
            },
        });

    public static HttpResponseMessage Response(HttpStatusCode status, string? body, string? wwwAuthenticate = null, string? requestIdHeader = null)
    {
        var response = new HttpResponseMessage(status);
        if (body is not null)
        {
            response.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (wwwAuthenticate is not null)
        {
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", wwwAuthenticate);
        }

        if (requestIdHeader is not null)
        {
            response.Headers.TryAddWithoutValidation("request-id", requestIdHeader);
            response.Headers.TryAddWithoutValidation("client-request-id", requestIdHeader);
        }

        return response;
    }
}
