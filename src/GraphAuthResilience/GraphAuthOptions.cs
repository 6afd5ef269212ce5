using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace GraphAuthResilience;

/// <summary>Options for the Graph auth chain of one named <see cref="HttpClient"/>.</summary>
public sealed class GraphAuthOptions
{
    /// <summary>The default scope: every application permission granted to the app, for the global cloud.</summary>
    public const string DefaultScope = "https://graph.microsoft.com/.default";

    /// <summary>Gets or sets where tokens come from.</summary>
    /// <value>Defaults to <see langword="null"/>: the <see cref="IGraphTokenSource"/> registered in DI is used.</value>
    public IGraphTokenSource? TokenSource { get; set; }

    /// <summary>Gets the scopes asked for when a request does not say otherwise.</summary>
    /// <value>Defaults to <c>https://graph.microsoft.com/.default</c>. Replace it for delegated scopes or national clouds.</value>
    public IList<string> Scopes { get; } = [DefaultScope];

    /// <summary>Gets or sets how the chain picks the customer tenant of a request that was not given one with
    /// <see cref="GraphAuthHttpRequestMessageExtensions.SetGraphTenant"/> (which always wins): for an app that knows the
    /// tenant from its own context (the tenant of the job it runs, an ambient value).</summary>
    /// <value>Defaults to <see langword="null"/>: a request without <c>SetGraphTenant</c> gets a token of the token
    /// source's own tenant. The function returns a directory id (GUID) or a domain name, or <see langword="null"/> for the
    /// source's own tenant; anything else fails the request with <see cref="GraphAuthFailureCause.TokenAcquisitionFailed"/>
    /// before any token work.</value>
    /// <remarks>It runs on every request bound for an allowed host, before the token is looked up: keep it cheap and
    /// free of I/O. It is given the request; it must not change it. A tenant selects its own cache entry, single
    /// flight, refresh ahead and claims challenges, and a token whose <c>tid</c> is another tenant's is never attached.</remarks>
    public Func<HttpRequestMessage, string?>? TenantResolver { get; set; }

    /// <summary>Gets the hosts that may receive a token over https: <c>host</c> (default port 443 only) or
    /// <c>host:port</c>, compared case-insensitively; a name in Unicode is normalised to punycode.</summary>
    /// <value>Defaults to Graph's public and national-cloud hosts: graph.microsoft.com, canary.graph.microsoft.com,
    /// graph.microsoft.us, dod-graph.microsoft.us, microsoftgraph.chinacloudapi.cn, graph.microsoft.de.</value>
    /// <remarks>
    /// <para>A token is for one cloud. While this set holds every default host (hosts may be added), a default Graph
    /// host receives a token only when it belongs to the cloud the request's scopes name:
    /// <c>https://graph.microsoft.com/.default</c> or a scope without a resource (<c>User.Read</c>) names the global
    /// cloud, <c>https://graph.microsoft.us/.default</c> US Government, and so on; a scope for another API names no
    /// Graph cloud. Hosts added to the set are used as given.</para>
    /// <para>To send tokens to another cloud's hosts, configure the set explicitly: once it no longer holds every
    /// default host (for example after <c>Clear()</c>), it is used exactly as given.</para>
    /// </remarks>
    public ISet<string> AllowedHosts { get; } = new HashSet<string>(GraphTokenInfo.DefaultGraphHosts, StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets how long before <see cref="GraphAccessToken.ExpiresOn"/> a token is refreshed (in the
    /// background, the current token still serving), or at <see cref="GraphAccessToken.RefreshOn"/> when the token
    /// source gave an earlier one.</summary>
    /// <value>Defaults to 5 minutes. Between zero and one hour.</value>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Read at build time by the options source generator (GraphAuthOptionsRangeValidator), which emits its own TimeSpan comparison; nothing reflects on it at run time.")]
    public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the largest body that is read ahead (into a pooled buffer, returned when the request is
    /// disposed) before the first send so that it can be replayed after a challenge: a forward-only stream of known
    /// or unknown length, or content that makes its bytes anew on each send. A longer body is sent once, as it is,
    /// and cannot be replayed.</summary>
    /// <value>Defaults to 1 MiB. Between zero and 100 MiB.</value>
    [Range(0L, 100L * 1024 * 1024)]
    public long MaxReplayBufferBytes { get; set; } = 1024 * 1024;

    /// <summary>Gets or sets the most tokens the chain's own cache keeps: one per (caller, scope set, claims) for
    /// on-behalf-of, one per scope set otherwise. Beyond it the least recently used entries are evicted (O(1) per
    /// insert); an evicted caller's next request asks the token source, which usually answers from MSAL's cache.
    /// Each entry costs about 400 bytes, plus its partition key for on-behalf-of (a 68-character hash, about 160
    /// bytes), besides the token string it holds (see the README).</summary>
    /// <value>Defaults to 10,000 (a busy on-behalf-of API). Between 1 and 1,000,000.</value>
    [Range(1, 1_000_000)]
    public int TokenCacheSize { get; set; } = 10_000;

    /// <summary>Gets or sets the longest one token acquisition may take, retries included, for any token source.
    /// Requests waiting for it then fail with <see cref="GraphAuthFailureCause.TokenAcquisitionFailed"/> and the
    /// next request starts a new acquisition. An acquisition that every waiting request gave up on is detached at
    /// once, so the next request starts its own without waiting for this bound.</summary>
    /// <value>Defaults to 2 minutes. Between 1 second and 1 day. Measured on the <see cref="TimeProvider"/> in DI, like every deadline of the cache.</value>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Read at build time by the options source generator (GraphAuthOptionsRangeValidator), which emits its own TimeSpan comparison; nothing reflects on it at run time.")]
    public TimeSpan TokenAcquisitionTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets the largest JSON batch answer (<c>POST /$batch</c>) the chain reads to find the steps that
    /// failed with what a token fixes and to diagnose the others. A larger answer is handed back unread (its steps
    /// are neither fixed nor diagnosed); zero turns batch handling off.</summary>
    /// <value>Defaults to 4 MiB. Between zero and 100 MiB.</value>
    [Range(0L, 100L * 1024 * 1024)]
    public long MaxBatchResponseBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets or sets a value indicating whether an auth failure throws <see cref="GraphAuthException"/>.
    /// When <see langword="false"/> the response is returned and its diagnosis is available from
    /// <c>HttpResponseMessage.GetGraphAuthFailure()</c>. A failure to acquire a token is always thrown: there is no
    /// response to return.</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool ThrowOnAuthFailure { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether each Graph call through this client is recorded for
    /// <see cref="IGraphPermissionUsage"/>: the method, the catalog's path template (never an id or a query value), the
    /// kind of token, the permissions it held (names only) and whether Graph refused it (401/403); a replay counts
    /// again, each step of a <c>$batch</c> counts on its own. Recording is bounded (distinct operations), thread-safe,
    /// allocates nothing once an operation was seen, and never fails a request. Off, the chain has no recorder at
    /// all.</summary>
    /// <value>Defaults to <see langword="false"/>. Turn it on in integration tests (to check a committed permission
    /// manifest) or for a while in production (to find what the app holds for nothing).</value>
    public bool RecordPermissionUse { get; set; }
}
