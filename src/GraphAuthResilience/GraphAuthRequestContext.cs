namespace GraphAuthResilience;

/// <summary>
/// Per-request state the handlers of the chain share through <see cref="HttpRequestMessage.Options"/>
/// (never through handler fields). Holds the token value only in memory, as the Authorization header does.
/// </summary>
internal sealed class GraphAuthRequestContext
{
    public static readonly HttpRequestOptionsKey<GraphAuthRequestContext> Key = new("GraphAuthResilience.Context");

    /// <summary>Gets the name of the chain that handles this request. Should two chains end up on one client, the
    /// outer one handles the request and the inner one passes it through, so nothing is done twice.</summary>
    public string? ChainName { get; private set; }

    /// <summary>Claims the request for the chain <paramref name="chainName"/>.</summary>
    /// <returns><see langword="true"/> when this chain handles the request.</returns>
    public bool IsHandledBy(string? chainName)
    {
        if (chainName is null)
        {
            return true;
        }

        ChainName ??= chainName;
        return string.Equals(ChainName, chainName, StringComparison.Ordinal);
    }

    /// <summary>Gets or sets the token the token handler attached (to tell it from a caller-set header).</summary>
    public string? AttachedToken { get; set; }

    /// <summary>Gets or sets the host the token was attached for.</summary>
    public string? AttachedHost { get; set; }

    /// <summary>Gets or sets the token-cache partition (a hash of the user assertion for on-behalf-of), never logged.</summary>
    public string? Partition { get; set; }

    /// <summary>Gets or sets the scopes the token was acquired for.</summary>
    public IReadOnlyList<string>? Scopes { get; set; }

    /// <summary>Gets or sets the claims (JSON) the next send must meet.</summary>
    public string? Claims { get; set; }

    /// <summary>Gets or sets a token Graph rejected: the next send must carry another one.</summary>
    public string? RejectedToken { get; set; }

    /// <summary>Gets or sets a value indicating whether the challenge handler replayed the request.</summary>
    public bool Replayed { get; set; }

    /// <summary>Gets or sets why the challenge handler could not or would not replay, if it did not.</summary>
    public string? ReplayRefusedReason { get; set; }

    /// <summary>Gets or sets a value indicating whether the body can be sent (and read) again: set by the challenge
    /// handler before the first send.</summary>
    public bool BodyReplayable { get; set; }

    /// <summary>Gets or sets a value indicating whether the body could not be replayed.</summary>
    public bool BodyNotReplayable { get; set; }

    /// <summary>Gets or sets the claims (JSON) of the last challenge Graph sent.</summary>
    public string? ChallengeClaims { get; set; }

    /// <summary>Gets or sets the diagnosis of the last answer when <see cref="GraphAuthOptions.ThrowOnAuthFailure"/> is off.</summary>
    public GraphAuthException? Failure { get; set; }

    /// <summary>Gets or sets the token of the last send, for diagnosis (never logged).</summary>
    public string? SentToken { get; set; }

    public static GraphAuthRequestContext GetOrCreate(HttpRequestMessage request)
    {
        if (!request.Options.TryGetValue(Key, out var context))
        {
            context = new GraphAuthRequestContext();
            request.Options.Set(Key, context);
        }

        return context;
    }

    public static GraphAuthRequestContext? Get(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(Key, out var context) ? context : null;
}
