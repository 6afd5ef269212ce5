using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace GraphAuthResilience.Testing;

/// <summary>
/// Responses shaped like Microsoft Graph's: JSON error bodies with <c>innerError</c> ids, <c>request-id</c> and
/// <c>client-request-id</c> headers, and the <c>WWW-Authenticate</c> challenges Graph sends (plain and CAE).
/// The header values are the real ones recorded from Graph (see the project's reference samples); the GUIDs are made up.
/// </summary>
public static class GraphResponses
{
    /// <summary>The <c>WWW-Authenticate</c> value Graph sends with a plain 401 (no claims).</summary>
    public const string PlainChallenge =
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"";

    /// <summary>A CAE claims challenge with every parameter quoted (as recorded by Microsoft.Identity.Web's CAE tests).</summary>
    public const string QuotedClaimsChallenge =
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\", errorDescription=\"Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp\", error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTcwMjY4MjE4MSJ9fX0=\"";

    /// <summary>The claims (JSON) that <see cref="QuotedClaimsChallenge"/> carries, base64 decoded.</summary>
    public const string QuotedClaimsJson = "{\"access_token\":{\"nbf\":{\"essential\":true, \"value\":\"1702682181\"}}}";

    /// <summary>A CAE claims challenge with <c>authorization_uri</c> unquoted, as Graph has sent it
    /// (msgraph-sdk-dotnet #1416). .NET's typed header collection drops this value; the raw header keeps it.</summary>
    public const string UnquotedClaimsChallenge =
        "Bearer realm=\"\", authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize, client_id=\"00000003-0000-0000-c000-000000000000\", error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTY1NzgzNDQxNyJ9fX0=\", errorDescription=\"Continuous access evaluation resulted in claims challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp\"";

    /// <summary>The claims (JSON) that <see cref="UnquotedClaimsChallenge"/> carries, base64 decoded.</summary>
    public const string UnquotedClaimsJson = "{\"access_token\":{\"nbf\":{\"essential\":true, \"value\":\"1657834417\"}}}";

    /// <summary>The error code Graph puts in the body of a CAE challenge.</summary>
    public const string ClaimsChallengeErrorCode = "InvalidAuthenticationToken";

    /// <summary>The error message Graph puts in the body of a CAE challenge.</summary>
    public const string ClaimsChallengeMessage =
        "Continuous access evaluation resulted in claims challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp";

    /// <summary>Creates a Graph error response: the JSON body <c>{"error":{"code","message","innerError":{date, request-id,
    /// client-request-id}}}</c>, the <c>request-id</c> and <c>client-request-id</c> headers, and an optional challenge.</summary>
    /// <param name="statusCode">The status, for example 403.</param>
    /// <param name="code">Graph's <c>error.code</c>, for example <c>Authorization_RequestDenied</c>.</param>
    /// <param name="message">Graph's <c>error.message</c>.</param>
    /// <param name="wwwAuthenticate">A raw <c>WWW-Authenticate</c> value (added without validation, as Graph's may not parse), or <see langword="null"/>.</param>
    /// <param name="requestId">The request id; a new GUID when <see langword="null"/>.</param>
    /// <param name="clientRequestId">The client request id; the request's <c>client-request-id</c> header when it has one
    /// (Graph echoes it), else <paramref name="requestId"/>.</param>
    /// <param name="request">The request being answered, set as <see cref="HttpResponseMessage.RequestMessage"/>.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentException"><paramref name="code"/> or <paramref name="message"/> is null or empty.</exception>
    public static HttpResponseMessage Error(
        HttpStatusCode statusCode,
        string code,
        string message,
        string? wwwAuthenticate = null,
        string? requestId = null,
        string? clientRequestId = null,
        HttpRequestMessage? request = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        ArgumentException.ThrowIfNullOrEmpty(message);
        requestId ??= Guid.NewGuid().ToString();
        clientRequestId = EchoedClientRequestId(request) ?? clientRequestId ?? requestId;

        var response = new HttpResponseMessage(statusCode)
        {
            Content = new StringContent(ErrorJson(code, message, requestId, clientRequestId), Encoding.UTF8, "application/json"),
            RequestMessage = request,
        };
        response.Headers.TryAddWithoutValidation("request-id", requestId);
        response.Headers.TryAddWithoutValidation("client-request-id", clientRequestId);
        if (wwwAuthenticate is not null)
        {
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", wwwAuthenticate);
        }

        return response;
    }

    /// <summary>Creates the 401 Graph sends for a CAE claims challenge (<c>error="insufficient_claims"</c> with base64 claims).</summary>
    /// <param name="quotedAuthorizationUri"><see langword="true"/> for <see cref="QuotedClaimsChallenge"/>;
    /// <see langword="false"/> for <see cref="UnquotedClaimsChallenge"/>, the form .NET's typed headers drop.</param>
    /// <param name="request">The request being answered.</param>
    /// <returns>The response.</returns>
    public static HttpResponseMessage ClaimsChallenge(bool quotedAuthorizationUri = true, HttpRequestMessage? request = null) =>
        Error(
            HttpStatusCode.Unauthorized,
            ClaimsChallengeErrorCode,
            ClaimsChallengeMessage,
            quotedAuthorizationUri ? QuotedClaimsChallenge : UnquotedClaimsChallenge,
            requestId: "c41e8b07-35d2-4a9f-b6e8-90a1f2d4c356",
            request: request);

    /// <summary>Creates a response with exactly this JSON body and challenge and no id headers: for a body recorded
    /// from Graph (or deliberately malformed) that <see cref="Error"/> would not produce.</summary>
    /// <param name="statusCode">The status.</param>
    /// <param name="json">The body, sent as <c>application/json</c>.</param>
    /// <param name="wwwAuthenticate">A raw <c>WWW-Authenticate</c> value (added without validation), or <see langword="null"/>.</param>
    /// <param name="request">The request being answered.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
    public static HttpResponseMessage Json(HttpStatusCode statusCode, string json, string? wwwAuthenticate = null, HttpRequestMessage? request = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var response = new HttpResponseMessage(statusCode)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
            RequestMessage = request,
        };
        if (wwwAuthenticate is not null)
        {
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", wwwAuthenticate);
        }

        return response;
    }

    /// <summary>Creates a 200 response with a JSON body.</summary>
    /// <param name="json">The body; defaults to <c>{}</c>.</param>
    /// <param name="request">The request being answered.</param>
    /// <returns>The response.</returns>
    public static HttpResponseMessage Ok(string json = "{}", HttpRequestMessage? request = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
            RequestMessage = request,
        };
        var requestId = Guid.NewGuid().ToString();
        response.Headers.TryAddWithoutValidation("request-id", requestId);
        response.Headers.TryAddWithoutValidation("client-request-id", EchoedClientRequestId(request) ?? requestId);
        return response;
    }

    internal static string ErrorJson(string code, string message, string requestId, string clientRequestId)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteStartObject("innerError");
            writer.WriteString("date", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
            writer.WriteString("request-id", requestId);
            writer.WriteString("client-request-id", clientRequestId);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string? EchoedClientRequestId(HttpRequestMessage? request) =>
        request is not null && request.Headers.TryGetValues("client-request-id", out var values)
            ? values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))
            : null;
}
