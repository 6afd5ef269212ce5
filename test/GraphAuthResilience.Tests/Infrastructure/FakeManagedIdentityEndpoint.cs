using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using GraphAuthResilience.Testing;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace GraphAuthResilience.Tests.Infrastructure;

/// <summary>
/// An in-memory Azure managed identity endpoint for real MSAL (<see cref="ManagedIdentityApplicationBuilder"/>):
/// IMDS (<c>http://169.254.169.254/metadata/identity/oauth2/token</c>) or the App Service form
/// (<c>IDENTITY_ENDPOINT</c> + <c>X-IDENTITY-HEADER</c>). MSAL picks the form from environment variables, so a test
/// sets them through <see cref="UseAppService"/> / <see cref="UseImds"/> and disposes the returned scope to restore them.
/// Records every request (GET with a query, no body), answers from a script, else with a fresh managed identity token.
/// </summary>
internal sealed class FakeManagedIdentityEndpoint : HttpMessageHandler, IMsalHttpClientFactory
{
    public const string AppServiceEndpoint = "http://127.0.0.1:41234/msi/token";
    public const string IdentityHeader = "identity-header-secret-0123456789";
    public const string ManagedIdentityResourceId = "/subscriptions/00000000-0000-4000-8000-000000000001/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/graph-job";
    private static readonly string[] Variables = ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST"];
    private readonly ConcurrentQueue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();
    private int _requests;
    private int _issued;

    public int Requests => Volatile.Read(ref _requests);

    public ConcurrentQueue<RecordedRequest> Recorded { get; } = new();

    public ConcurrentQueue<string> IssuedTokens { get; } = new();

    /// <summary>Gets or sets a gate every answer waits for (to hold acquisitions in flight).</summary>
    public Task? Gate { get; set; }

    /// <summary>Gets or sets whether the endpoint answers every request with the token it issued last, as the real
    /// endpoint does from its own cache unless asked to replace a token.</summary>
    public bool CachesTokens { get; set; }

    public void Enqueue(Func<HttpRequestMessage, HttpResponseMessage> answer) => _script.Enqueue(answer);

    public void EnqueueStatus(HttpStatusCode status, string? retryAfter = null) => Enqueue(_ =>
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent("""{"error":"service_unavailable","error_description":"The managed identity endpoint is busy."}""", Encoding.UTF8, "application/json"),
        };
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return response;
    });

    /// <summary>Sets the App Service variables (and clears the others); dispose to restore what was there.</summary>
    public static IDisposable UseAppService() => new EnvironmentScope(new Dictionary<string, string?>
    {
        ["IDENTITY_ENDPOINT"] = AppServiceEndpoint,
        ["IDENTITY_HEADER"] = IdentityHeader,
    });

    /// <summary>Clears every managed identity variable, so MSAL falls back to IMDS; dispose to restore.</summary>
    public static IDisposable UseImds() => new EnvironmentScope(new Dictionary<string, string?>());

    /// <summary>Builds a real MSAL managed identity application over this endpoint. MSAL keeps managed identity tokens
    /// in one process-wide cache keyed by identity and resource, so each app defaults to a user-assigned identity of
    /// its own: a token cached by another test must never answer this one.</summary>
    public IManagedIdentityApplication CreateApp(ManagedIdentityId? id = null, params string[] capabilities)
    {
        var builder = ManagedIdentityApplicationBuilder.Create(id ?? ManagedIdentityId.WithUserAssignedClientId(Guid.NewGuid().ToString()))
            .WithHttpClientFactory(this, retryOnceOn5xx: false);
        if (capabilities.Length > 0)
        {
            builder = builder.WithClientCapabilities(capabilities);
        }

        return builder.Build();
    }

    public HttpClient GetHttpClient() => new(this, disposeHandler: false);

    public string NextToken()
    {
        var n = Interlocked.Increment(ref _issued);
        var token = UnsignedJwt.AppOnly().WithRoles("User.Read.All").WithClaim("idtyp", "app")
            .WithClaim("xms_mirid", ManagedIdentityResourceId).WithClaim("uti", $"mi-{n}").Build();
        IssuedTokens.Enqueue(token);
        return token;
    }

    public HttpResponseMessage TokenResponse(string token)
    {
        var expiresOn = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var json = $$"""{"access_token":"{{token}}","expires_on":"{{expiresOn}}","expires_in":"3599","resource":"https://graph.microsoft.com/","token_type":"Bearer","client_id":"aaaaaaaa-0000-4000-8000-000000000001"}""";
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("No request URI.");
        if (uri.Host is not ("169.254.169.254" or "127.0.0.1"))
        {
            throw new InvalidOperationException($"The fake managed identity endpoint does not answer {uri.Host}.");
        }

        Interlocked.Increment(ref _requests);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        Recorded.Enqueue(new RecordedRequest(request.Method, uri, ParseQuery(uri.Query), headers));
        if (Gate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
        }

        if (_script.TryDequeue(out var answer))
        {
            return answer(request);
        }

        if (CachesTokens && IssuedTokens.LastOrDefault() is { } last)
        {
            return TokenResponse(last);
        }

        return TokenResponse(NextToken());
    }

    private static Dictionary<string, string> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty);

    internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers);

    private sealed class EnvironmentScope : IDisposable
    {
        private readonly Dictionary<string, string?> _saved = [];

        public EnvironmentScope(IReadOnlyDictionary<string, string?> values)
        {
            foreach (var name in Variables)
            {
                _saved[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, values.TryGetValue(name, out var value) ? value : null);
            }
        }

        public void Dispose()
        {
            foreach (var (name, value) in _saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
