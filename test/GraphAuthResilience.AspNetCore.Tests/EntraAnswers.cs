using System.Collections.Concurrent;
using System.Net;
using System.Text;
using GraphAuthResilience.Testing;

namespace GraphAuthResilience.AspNetCore.Tests;

/// <summary>
/// Sets up the Testing package's <see cref="FakeEntraTokenEndpoint"/> for both sides of a web API: the caller's
/// public client (refresh-token grant: a token for the API) and the API's confidential client (on-behalf-of: a Graph
/// token, or the error queued with <see cref="EnqueueOnBehalfOf"/>).
/// </summary>
internal sealed class EntraAnswers
{
    public const string ApiScope = "api://graph-facade/access_as_user";
    public const string OnBehalfOfGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private readonly ConcurrentQueue<Func<HttpResponseMessage>> _onBehalfOf = new();
    private int _issued;

    public EntraAnswers()
    {
        Endpoint = new FakeEntraTokenEndpoint();
        Endpoint.DefaultAnswer = request =>
        {
            if (request.GrantType == OnBehalfOfGrant && _onBehalfOf.TryDequeue(out var scripted))
            {
                return scripted();
            }

            var n = Interlocked.Increment(ref _issued);
            var token = request.GrantType == OnBehalfOfGrant
                ? UnsignedJwt.Delegated("User.Read").WithClaim("uti", $"graph-{n}").Build()
                : UnsignedJwt.Delegated("access_as_user").WithAudience("api://graph-facade").WithClaim("uti", $"api-{n}").Build();
            return Endpoint.UserTokenResponse(token);
        };
    }

    public FakeEntraTokenEndpoint Endpoint { get; }

    public IEnumerable<FakeEntraTokenRequest> OnBehalfOfRequests => Endpoint.Requests.Where(r => r.GrantType == OnBehalfOfGrant);

    public IEnumerable<FakeEntraTokenRequest> CallerRequests => Endpoint.Requests.Where(r => r.GrantType == "refresh_token");

    public void EnqueueOnBehalfOf(Func<HttpResponseMessage> answer) => _onBehalfOf.Enqueue(answer);

    /// <summary>What Entra ID answers on-behalf-of when the user must pass MFA first: <c>invalid_grant</c> with the claims.</summary>
    public static HttpResponseMessage MfaRequired(string claimsJson) => Json(
        $$"""{"error":"invalid_grant","error_description":"AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access 'Microsoft Graph'. Trace ID: 0b1a2c3d-0000-4000-8000-000000000001","error_codes":[50076],"suberror":"basic_action","claims":{{System.Text.Json.JsonSerializer.Serialize(claimsJson)}}}""");

    /// <summary>What Entra ID answers on-behalf-of when consent for Graph is missing.</summary>
    public static HttpResponseMessage ConsentMissing() => Json(
        """{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented to use the application with ID 'x' named 'graph-facade'. Trace ID: 0b1a2c3d-0000-4000-8000-000000000003","error_codes":[65001],"suberror":"consent_required"}""");

    private static HttpResponseMessage Json(string body) =>
        new(HttpStatusCode.BadRequest) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}
