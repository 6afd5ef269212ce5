using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace GraphAuthResilience.Testing;

/// <summary>
/// An in-memory Azure managed identity endpoint for a real MSAL managed identity application: give it to
/// <c>ManagedIdentityApplicationBuilder.WithHttpClientFactory(endpoint)</c> (or use <see cref="CreateApp"/>) and every
/// request MSAL sends (a GET to IMDS, App Service's <c>IDENTITY_ENDPOINT</c>, ...) is answered here, recorded and
/// counted. Nothing reaches a network.
/// </summary>
/// <remarks>
/// MSAL chooses the form from environment variables: none set means IMDS (<c>http://169.254.169.254/...</c>),
/// <c>IDENTITY_ENDPOINT</c> + <c>IDENTITY_HEADER</c> mean App Service. <see cref="UseAppService"/> and
/// <see cref="UseImds"/> set them for a test and restore them when disposed (tests using them must not run in
/// parallel with each other). MSAL keeps managed identity tokens in one process-wide cache keyed by identity and
/// resource: <see cref="CreateApp"/> gives each app its own user-assigned identity so tests never share tokens.
/// Answers come from a script (<see cref="Enqueue"/>, <see cref="EnqueueStatus"/>), else a fresh unsigned app-only JWT
/// with <c>xms_mirid</c>, as a managed identity token has.
/// </remarks>
public sealed class FakeManagedIdentityEndpoint : HttpMessageHandler, IMsalHttpClientFactory
{
    /// <summary>The App Service endpoint <see cref="UseAppService"/> sets (loopback; never contacted: this fake answers).</summary>
    public const string AppServiceEndpoint = "http://127.0.0.1:41234/msi/token";

    /// <summary>The App Service secret header value <see cref="UseAppService"/> sets.</summary>
    public const string IdentityHeader = "identity-header-secret-0123456789";

    /// <summary>The <c>xms_mirid</c> claim of the tokens this fake issues.</summary>
    public const string ManagedIdentityResourceId = "/subscriptions/00000000-0000-4000-8000-000000000001/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/graph-job";

    private static readonly string[] Variables = ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "AZURE_POD_IDENTITY_AUTHORITY_HOST"];
    private readonly ConcurrentQueue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();
    private readonly ConcurrentQueue<FakeManagedIdentityRequest> _recorded = new();
    private readonly ConcurrentQueue<string> _issued = new();
    private readonly HttpClient _client;
    private int _requests;
    private int _issuedCount;

    /// <summary>Initializes a new instance of the <see cref="FakeManagedIdentityEndpoint"/> class.</summary>
    public FakeManagedIdentityEndpoint()
    {
        _client = new HttpClient(this, disposeHandler: false);
    }

    /// <summary>Gets the number of requests answered (or being answered).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Gets the requests received, in order.</summary>
    public IReadOnlyList<FakeManagedIdentityRequest> Recorded => [.. _recorded];

    /// <summary>Gets the tokens issued, in order.</summary>
    public IReadOnlyList<string> IssuedTokens => [.. _issued];

    /// <summary>Gets or sets a task every answer waits for (to hold acquisitions in flight).</summary>
    public Task? Gate { get; set; }

    /// <summary>Gets or sets a value indicating whether the endpoint answers with the token it issued last, as the real
    /// endpoint does from its own cache.</summary>
    public bool CachesTokens { get; set; }

    /// <summary>Sets the App Service variables and clears the other managed identity variables.</summary>
    /// <returns>A scope that restores the variables when disposed.</returns>
    public static IDisposable UseAppService() => new EnvironmentScope(new Dictionary<string, string?>
    {
        ["IDENTITY_ENDPOINT"] = AppServiceEndpoint,
        ["IDENTITY_HEADER"] = IdentityHeader,
    });

    /// <summary>Clears every managed identity variable, so MSAL uses IMDS.</summary>
    /// <returns>A scope that restores the variables when disposed.</returns>
    public static IDisposable UseImds() => new EnvironmentScope(new Dictionary<string, string?>());

    /// <summary>Queues one answer.</summary>
    /// <param name="answer">Builds the response to the next request.</param>
    public void Enqueue(Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        _script.Enqueue(answer);
    }

    /// <summary>Queues one failure answer (for example 503, or 429 with Retry-After).</summary>
    /// <param name="status">The status code.</param>
    /// <param name="retryAfter">The Retry-After value, if any.</param>
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

    /// <summary>Builds a real MSAL managed identity application answered by this endpoint.</summary>
    /// <param name="id">The identity; defaults to a user-assigned identity of its own (see the remarks).</param>
    /// <param name="capabilities">Client capabilities, for example <c>cp1</c>.</param>
    /// <returns>The application.</returns>
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

    /// <summary>Returns a client over this endpoint (for MSAL).</summary>
    /// <returns>The client.</returns>
    public HttpClient GetHttpClient() => _client;

    /// <summary>Issues a new managed identity token (app-only, <c>idtyp=app</c>, <c>xms_mirid</c>).</summary>
    /// <returns>The token.</returns>
    public string NextToken()
    {
        var n = Interlocked.Increment(ref _issuedCount);
        var token = UnsignedJwt.AppOnly().WithRoles("User.Read.All").WithClaim("idtyp", "app")
            .WithClaim("xms_mirid", ManagedIdentityResourceId).WithClaim("uti", $"mi-{n}").Build();
        _issued.Enqueue(token);
        return token;
    }

    /// <summary>The answer a managed identity endpoint gives with a token.</summary>
    /// <param name="accessToken">The token.</param>
    /// <returns>The response.</returns>
    public static HttpResponseMessage TokenResponse(string accessToken)
    {
        var expiresOn = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var json = $$"""{"access_token":"{{accessToken}}","expires_on":"{{expiresOn}}","expires_in":"3599","resource":"https://graph.microsoft.com/","token_type":"Bearer"}""";
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        Interlocked.Increment(ref _requests);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        _recorded.Enqueue(new FakeManagedIdentityRequest(request.Method, uri, ParseQuery(uri.Query), headers));
        if (Gate is { } gate)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_script.TryDequeue(out var answer))
        {
            return answer(request);
        }

        if (CachesTokens && !_issued.IsEmpty)
        {
            return TokenResponse(_issued.Last());
        }

        return TokenResponse(NextToken());
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _client.Dispose();
        }

        base.Dispose(disposing);
    }

    private static Dictionary<string, string> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .GroupBy(p => Uri.UnescapeDataString(p[0]), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Length > 1 ? Uri.UnescapeDataString(g.Last()[1].Replace('+', ' ')) : string.Empty, StringComparer.Ordinal);

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
