using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Identity.Client;

namespace GraphAuthResilience.Testing;

/// <summary>
/// An in-memory Microsoft Entra ID token endpoint for real MSAL: give it to an application builder with
/// <c>WithHttpClientFactory(endpoint)</c> (and <c>WithInstanceDiscovery(false)</c>), and every POST to
/// <c>{authority}oauth2/v2.0/token</c> is answered here, recorded and counted. Nothing reaches a network: any
/// other request (instance discovery, metadata) throws, so a test cannot silently depend on one.
/// </summary>
/// <remarks>
/// Answers come from a script (<see cref="Enqueue"/>, <see cref="EnqueueError(int, string?)"/>,
/// <see cref="EnqueueServerError"/>...), one entry per POST, then from <see cref="DefaultAnswer"/>, else a fresh
/// unsigned app-only JWT (<see cref="DelegatedByDefault"/>: a delegated answer with an id token and refresh token).
/// Use it to test your own MSAL setup offline: retries on 5xx/429, AADSTS errors, claims challenges.
/// </remarks>
public sealed class FakeEntraTokenEndpoint : HttpMessageHandler, IMsalHttpClientFactory
{
    /// <summary>The tenant id of <see cref="CreateConfidentialClient"/>'s authority.</summary>
    public const string Tenant = "11111111-2222-3333-4444-555555555555";

    /// <summary>A client id for tests that need a fixed one.</summary>
    public const string ClientId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    /// <summary>The client secret <see cref="CreateConfidentialClient"/> uses: not real, and recognisable, so a leak scan can look for it.</summary>
    public const string Secret = "s3cr3t-Value~ThatMustNeverLeak.0123456789";

    /// <summary>The app-only Graph scope.</summary>
    public const string Scope = "https://graph.microsoft.com/.default";

    private const string TraceId = "0b1a2c3d-0000-4000-8000-000000000001";
    private const string CorrelationId = "0b1a2c3d-0000-4000-8000-000000000002";

    private readonly ConcurrentQueue<Func<FakeEntraTokenRequest, HttpResponseMessage>> _script = new();
    private readonly ConcurrentQueue<FakeEntraTokenRequest> _requests = new();
    private readonly ConcurrentQueue<string> _issued = new();
    private readonly HttpClient _client;
    private int _posts;
    private int _postsWithClaims;
    private int _issuedCount;
    private int _discoveries;

    /// <summary>Initializes a new instance of the <see cref="FakeEntraTokenEndpoint"/> class.</summary>
    public FakeEntraTokenEndpoint()
    {
        _client = new HttpClient(this, disposeHandler: false);
    }

    /// <summary>Gets the number of token requests answered (or being answered).</summary>
    public int Posts => Volatile.Read(ref _posts);

    /// <summary>Gets the number of token requests that carried claims from a challenge (not only client capabilities).</summary>
    public int PostsWithClaims => Volatile.Read(ref _postsWithClaims);

    /// <summary>Gets the token requests received, in order.</summary>
    public IReadOnlyList<FakeEntraTokenRequest> Requests => [.. _requests];

    /// <summary>Gets the form fields of the token requests received, in order (secrets included: keep them out of logs).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Forms => [.. _requests.Select(r => r.Form)];

    /// <summary>Gets the access tokens this endpoint made up, in order.</summary>
    public IReadOnlyCollection<string> IssuedTokens => _issued;

    /// <summary>Gets or sets a task every answer waits for (to hold acquisitions in flight).</summary>
    public Task? Gate { get; set; }

    /// <summary>Gets or sets how long every answer takes.</summary>
    /// <value>Default <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan Latency { get; set; }

    /// <summary>Gets or sets the <c>expires_in</c> of made-up tokens, in seconds.</summary>
    /// <value>Default 3599.</value>
    public int ExpiresInSeconds { get; set; } = 3599;

    /// <summary>Gets or sets a value indicating whether an unscripted request gets a delegated answer
    /// (<see cref="UserTokenResponse"/>: on-behalf-of, refresh token, silent flows) instead of an app-only one.</summary>
    public bool DelegatedByDefault { get; set; }

    /// <summary>Gets or sets a value indicating whether MSAL's instance discovery (<c>GET
    /// https://login.microsoftonline.com/common/discovery/instance</c>) is answered with the public cloud's aliases.
    /// Needed where the application is built by someone else who cannot turn discovery off
    /// (<c>WithInstanceDiscovery(false)</c>), such as Microsoft.Identity.Web's token acquisition. Discovery requests
    /// are not counted in <see cref="Posts"/> or <see cref="Requests"/>.</summary>
    /// <value>Default <see langword="false"/>: any request other than a token POST throws.</value>
    public bool AnswersInstanceDiscovery { get; set; }

    /// <summary>Gets the number of instance discovery requests answered (see <see cref="AnswersInstanceDiscovery"/>).</summary>
    public int InstanceDiscoveries => Volatile.Read(ref _discoveries);

    /// <summary>Gets or sets the answer to a request the script has nothing for; <see langword="null"/> for a made-up token.</summary>
    public Func<FakeEntraTokenRequest, HttpResponseMessage>? DefaultAnswer { get; set; }

    /// <summary>Queues the answer to the next token request.</summary>
    /// <param name="answer">Makes the answer from the request.</param>
    /// <exception cref="ArgumentNullException"><paramref name="answer"/> is <see langword="null"/>.</exception>
    public void Enqueue(Func<FakeEntraTokenRequest, HttpResponseMessage> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        _script.Enqueue(answer);
    }

    /// <summary>Queues a successful answer carrying <paramref name="accessToken"/> (or a made-up app-only JWT).</summary>
    /// <param name="accessToken">The access token, or <see langword="null"/> for a made-up one.</param>
    /// <param name="expiresIn">The <c>expires_in</c> in seconds, or <see langword="null"/> for <see cref="ExpiresInSeconds"/>.</param>
    /// <param name="refreshIn">The <c>refresh_in</c> in seconds, if any.</param>
    public void EnqueueToken(string? accessToken = null, int? expiresIn = null, int? refreshIn = null) =>
        _script.Enqueue(r => TokenResponse(accessToken ?? NextToken(r.Tenant), expiresIn ?? ExpiresInSeconds, refreshIn));

    /// <summary>Queues the error Entra ID answers with for a well-known AADSTS code (status, <c>error</c> and
    /// <c>suberror</c> as Entra ID sends them).</summary>
    /// <param name="aadsts">The code: 50076, 50079, 53003 (interaction required), 65001 (consent), 7000215 and
    /// 7000222 (bad or expired secret), 700016 (unknown application), 90002 (unknown tenant), 50000 (server error),
    /// 50196 (throttled); any other code answers 400 <c>invalid_request</c>.</param>
    /// <param name="description">The text after <c>AADSTS{code}: </c>, or <see langword="null"/> for a stock one.</param>
    public void EnqueueError(int aadsts, string? description = null)
    {
        var (status, error, suberror) = aadsts switch
        {
            50076 or 50079 => (HttpStatusCode.BadRequest, "interaction_required", (string?)"basic_action"),
            53003 => (HttpStatusCode.BadRequest, "interaction_required", "message_only"),
            65001 => (HttpStatusCode.BadRequest, "invalid_grant", "consent_required"),
            7000215 or 7000222 or 700027 => (HttpStatusCode.Unauthorized, "invalid_client", null),
            700016 => (HttpStatusCode.BadRequest, "unauthorized_client", null),
            90002 => (HttpStatusCode.BadRequest, "invalid_request", null),
            50000 => (HttpStatusCode.InternalServerError, "server_error", null),
            50196 => ((HttpStatusCode)429, "temporarily_unavailable", null),
            _ => (HttpStatusCode.BadRequest, "invalid_request", null),
        };
        EnqueueError(status, error, description ?? $"Error {aadsts.ToString(CultureInfo.InvariantCulture)} from the fake token endpoint.", aadsts, suberror);
    }

    /// <summary>Queues an Entra ID error answer.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="error">The OAuth <c>error</c> (<c>invalid_grant</c>, <c>interaction_required</c>...).</param>
    /// <param name="description">The text after <c>AADSTS{code}: </c>.</param>
    /// <param name="aadsts">The AADSTS code.</param>
    /// <param name="suberror">The <c>suberror</c>, if any.</param>
    /// <param name="retryAfter">A <c>Retry-After</c> header value, if any.</param>
    public void EnqueueError(HttpStatusCode status, string error, string description, int aadsts, string? suberror = null, string? retryAfter = null) =>
        _script.Enqueue(_ => ErrorResponse(status, error, description, aadsts, suberror, retryAfter));

    /// <summary>Queues a server error or throttling answer with no body MSAL can read as an Entra ID error.</summary>
    /// <param name="status">The status: 500, 502, 503, 504 or 429.</param>
    /// <param name="retryAfter">The <c>Retry-After</c> delay, if any.</param>
    public void EnqueueServerError(HttpStatusCode status = HttpStatusCode.ServiceUnavailable, TimeSpan? retryAfter = null) =>
        _script.Enqueue(_ =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(string.Empty) };
            if (retryAfter is { } delay)
            {
                response.Headers.TryAddWithoutValidation("Retry-After", ((int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
            }

            return response;
        });

    /// <summary>Makes an Entra ID error answer, shaped as Entra ID sends it (AADSTS code, trace and correlation ids).</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="error">The OAuth <c>error</c>.</param>
    /// <param name="description">The text after <c>AADSTS{code}: </c>.</param>
    /// <param name="aadsts">The AADSTS code.</param>
    /// <param name="suberror">The <c>suberror</c>, if any.</param>
    /// <param name="retryAfter">A <c>Retry-After</c> header value, if any.</param>
    /// <returns>The answer.</returns>
    public static HttpResponseMessage ErrorResponse(HttpStatusCode status, string error, string description, int aadsts, string? suberror = null, string? retryAfter = null)
    {
        var body = new JsonObject
        {
            ["error"] = error,
            ["error_description"] = $"AADSTS{aadsts}: {description}\r\nTrace ID: {TraceId}\r\nCorrelation ID: {CorrelationId}\r\nTimestamp: 2026-11-25 07:00:00Z",
            ["error_codes"] = new JsonArray(aadsts),
            ["timestamp"] = "2026-11-25 07:00:00Z",
            ["trace_id"] = TraceId,
            ["correlation_id"] = CorrelationId,
            ["error_uri"] = "https://login.microsoftonline.com/error?code=" + aadsts.ToString(CultureInfo.InvariantCulture),
        };
        if (suberror is not null)
        {
            body["suberror"] = suberror;
        }

        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return response;
    }

    /// <summary>Makes a successful app-only answer (client credentials) carrying <paramref name="accessToken"/>.</summary>
    /// <param name="accessToken">The access token (<see cref="NextToken(string)"/> makes one up).</param>
    /// <param name="expiresIn">The <c>expires_in</c> in seconds.</param>
    /// <param name="refreshIn">The <c>refresh_in</c> in seconds, if any.</param>
    /// <returns>The answer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="accessToken"/> is <see langword="null"/>.</exception>
    public static HttpResponseMessage TokenResponse(string accessToken, int expiresIn = 3599, int? refreshIn = null)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        var expires = expiresIn.ToString(CultureInfo.InvariantCulture);
        var json = refreshIn is { } r
            ? $$"""{"token_type":"Bearer","expires_in":{{expires}},"ext_expires_in":{{expires}},"refresh_in":{{r.ToString(CultureInfo.InvariantCulture)}},"access_token":"{{accessToken}}"}"""
            : $$"""{"token_type":"Bearer","expires_in":{{expires}},"ext_expires_in":{{expires}},"access_token":"{{accessToken}}"}""";
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }

    /// <summary>Makes a successful delegated answer (on-behalf-of, refresh token, silent): with <c>client_info</c>, an
    /// id token and a refresh token, as MSAL needs to cache an account.</summary>
    /// <param name="accessToken">The access token, or <see langword="null"/> for a made-up one (<see cref="NextDelegatedToken"/>).</param>
    /// <param name="userObjectId">The user's object id (<c>oid</c>): MSAL caches one account per user, so answers for
    /// several users (on-behalf-of callers) need one each; <see langword="null"/> for one fixed user.</param>
    /// <returns>The answer.</returns>
    public HttpResponseMessage UserTokenResponse(string? accessToken = null, string? userObjectId = null)
    {
        accessToken ??= NextDelegatedToken();
        var oid = userObjectId ?? "6c5b4a39-0000-4000-8000-0000000000a1";
        var clientInfo = Base64Url("{\"uid\":\"" + oid + "\",\"utid\":\"" + Tenant + "\"}");
        var idToken = UnsignedJwt.Delegated().WithAudience("client").WithClaim("oid", oid).WithClaim("sub", "subject-" + oid)
            .WithClaim("iss", $"https://login.microsoftonline.com/{Tenant}/v2.0").WithClaim("ver", "2.0").Build();
        var expires = ExpiresInSeconds.ToString(CultureInfo.InvariantCulture);
        var json = $$"""{"token_type":"Bearer","scope":"https://graph.microsoft.com/User.Read","expires_in":{{expires}},"ext_expires_in":{{expires}},"access_token":"{{accessToken}}","refresh_token":"rt-{{Guid.NewGuid():N}}","id_token":"{{idToken}}","client_info":"{{clientInfo}}"}""";
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }

    /// <summary>Makes up the next app-only access token (an unsigned JWT with a unique <c>uti</c>) and records it in <see cref="IssuedTokens"/>.</summary>
    /// <returns>The token.</returns>
    public string NextToken() => NextToken(null);

    /// <summary>Makes up the next app-only access token of a tenant (its <c>tid</c>) and records it in <see cref="IssuedTokens"/>.</summary>
    /// <param name="tenant">The tenant id (a GUID) the token is issued in; anything else (a domain, <see langword="null"/>)
    /// issues it in <see cref="Tenant"/>, as Entra ID resolves a domain to its directory id.</param>
    /// <returns>The token.</returns>
    public string NextToken(string? tenant)
    {
        var jwt = UnsignedJwt.AppOnly().WithRoles("User.Read.All", "Mail.Read").WithClaim("uti", $"fake-app-{Interlocked.Increment(ref _issuedCount)}");
        if (Guid.TryParse(tenant, out var tid))
        {
            jwt = jwt.WithTenant(tid.ToString("D"));
        }

        return Issue(jwt.Build());
    }

    /// <summary>Makes up the next delegated access token and records it in <see cref="IssuedTokens"/>.</summary>
    /// <returns>The token.</returns>
    public string NextDelegatedToken() =>
        Issue(UnsignedJwt.Delegated("User.Read", "Mail.Read").WithClaim("uti", $"fake-user-{Interlocked.Increment(ref _issuedCount)}").Build());

    /// <summary>Sets <see cref="Posts"/> and <see cref="PostsWithClaims"/> back to zero.</summary>
    public void ResetPosts()
    {
        Volatile.Write(ref _posts, 0);
        Volatile.Write(ref _postsWithClaims, 0);
    }

    /// <inheritdoc/>
    public HttpClient GetHttpClient() => _client;

    /// <summary>Builds a confidential client application (client secret <see cref="Secret"/>) whose token requests come here.</summary>
    /// <param name="clientId">The client id, or <see langword="null"/> for a new one (MSAL caches and throttles per client).</param>
    /// <param name="capabilities">Client capabilities (<c>cp1</c> for CAE), if any.</param>
    /// <returns>The application.</returns>
    public IConfidentialClientApplication CreateConfidentialClient(string? clientId = null, params string[] capabilities)
    {
        var builder = ConfidentialClientApplicationBuilder
            .Create(clientId ?? Guid.NewGuid().ToString())
            .WithAuthority($"https://login.microsoftonline.com/{Tenant}/")
            .WithClientSecret(Secret)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(this, retryOnceOn5xx: false);
        if (capabilities is { Length: > 0 })
        {
            builder = builder.WithClientCapabilities(capabilities);
        }

        return builder.Build();
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (AnswersInstanceDiscovery && request.Method == HttpMethod.Get
            && request.RequestUri is { AbsolutePath: "/common/discovery/instance" } discovery)
        {
            Interlocked.Increment(ref _discoveries);
            return InstanceDiscoveryResponse(discovery.Host);
        }

        if (request.Method != HttpMethod.Post || request.RequestUri is not { AbsolutePath: var path }
            || !path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The fake token endpoint only answers token POSTs, not {request.Method} {request.RequestUri}.");
        }

        var number = Interlocked.Increment(ref _posts);
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var recorded = new FakeEntraTokenRequest(number, ParseForm(body)) { Tenant = path.Split('/', StringSplitOptions.RemoveEmptyEntries)[0] };
        _requests.Enqueue(recorded);
        if (recorded.HasChallengeClaims)
        {
            Interlocked.Increment(ref _postsWithClaims);
        }

        if (Gate is { } gate)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, cancellationToken).ConfigureAwait(false);
        }

        if (_script.TryDequeue(out var answer))
        {
            return answer(recorded);
        }

        return DefaultAnswer is { } defaultAnswer ? defaultAnswer(recorded)
            : DelegatedByDefault ? UserTokenResponse()
            : TokenResponse(NextToken(recorded.Tenant), ExpiresInSeconds);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _client.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>What Entra ID's instance discovery answers for the public cloud (the aliases MSAL uses for its cache).</summary>
    private static HttpResponseMessage InstanceDiscoveryResponse(string host)
    {
        var json = $$"""{"tenant_discovery_endpoint":"https://{{host}}/{{Tenant}}/v2.0/.well-known/openid-configuration","api-version":"1.1","metadata":[{"preferred_network":"login.microsoftonline.com","preferred_cache":"login.windows.net","aliases":["login.microsoftonline.com","login.windows.net","login.microsoft.com","sts.windows.net"]}]}""";
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }

    private string Issue(string token)
    {
        _issued.Enqueue(token);
        return token;
    }

    private static Dictionary<string, string> ParseForm(string body)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            form[Uri.UnescapeDataString(parts[0].Replace('+', ' '))] = parts.Length > 1 ? Uri.UnescapeDataString(parts[1].Replace('+', ' ')) : string.Empty;
        }

        return form;
    }

    private static string Base64Url(string text) =>
        System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
}
