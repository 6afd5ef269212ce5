namespace GraphAuthResilience.Testing;

/// <summary>One request MSAL sent to <see cref="FakeManagedIdentityEndpoint"/>.</summary>
/// <param name="Method">The HTTP method (GET for IMDS and App Service).</param>
/// <param name="Uri">The full URI.</param>
/// <param name="Query">The query parameters (<c>resource</c>, <c>api-version</c>, <c>client_id</c>...).</param>
/// <param name="Headers">The request headers (<c>Metadata</c>, <c>X-IDENTITY-HEADER</c>...).</param>
public sealed record FakeManagedIdentityRequest(
    HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers);
