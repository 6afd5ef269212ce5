using System.Net;
using System.Text;
using System.Text.Json;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>
/// The real Graph error bodies and headers of shared/reference/graph-error-samples.md (S1..S27), with made-up ids.
/// </summary>
internal static class GraphErrorSamples
{
    public const string RequestId = "7d2f1c3e-9a4b-4c5d-8e6f-0a1b2c3d4e5f";
    public const string Date = "2024-03-12T09:41:07";

    public const string PlainChallenge =
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"";

    public const string S25Challenge =
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\", error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYzNTUyNzc5MCJ9fX0=\"";

    public const string S25Claims = "{\"access_token\":{\"nbf\":{\"essential\":true, \"value\":\"1635527790\"}}}";

    public const string S25Body =
        "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"Continuous access evaluation resulted in claims challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp\",\"innerError\":{\"date\":\"2021-10-29T17:16:30\",\"request-id\":\"c41e8b07-35d2-4a9f-b6e8-90a1f2d4c356\",\"client-request-id\":\"c41e8b07-35d2-4a9f-b6e8-90a1f2d4c356\"}}}";

    public const string S25RequestId = "c41e8b07-35d2-4a9f-b6e8-90a1f2d4c356";

    public const string S26Challenge =
        "Bearer realm=\"\", authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize, client_id=\"00000003-0000-0000-c000-000000000000\", error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTY1NzgzNDQxNyJ9fX0=\", errorDescription=\"Continuous access evaluation resulted in claims challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp\"";

    public const string S26Claims = "{\"access_token\":{\"nbf\":{\"essential\":true, \"value\":\"1657834417\"}}}";

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
