using System.Collections.Concurrent;

namespace GraphAuthResilience.Testing;

/// <summary>
/// An <see cref="IGraphTokenSource"/> for tests: records every request (scopes, claims, force refresh) and hands
/// out unsigned JWTs, each one distinct, from a factory you can replace.
/// </summary>
public sealed class FakeGraphTokenSource : IGraphTokenSource
{
    private readonly ConcurrentQueue<GraphTokenRequest> _requests = new();
    private readonly TimeProvider _time;
    private int _issued;

    /// <summary>Initializes a new instance of the <see cref="FakeGraphTokenSource"/> class.</summary>
    /// <param name="timeProvider">The clock for expiry; defaults to <see cref="TimeProvider.System"/>.</param>
    public FakeGraphTokenSource(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        TokenFactory = (request, number) => UnsignedJwt.AppOnly()
            .WithRoles("User.Read.All")
            .WithClaim("uti", $"fake-{number}")
            .ExpiresAt(_time.GetUtcNow() + Lifetime)
            .Build();
    }

    /// <summary>Creates a token source for the scenario that fakes <paramref name="cause"/>: it hands out the token that
    /// meets the failure (wrong audience, personal account, app-only, expired...) or, for token-acquisition causes
    /// (<see cref="GraphAuthFailureCause.ConsentRequired"/>, <see cref="GraphAuthFailureCause.InteractionRequired"/>,
    /// <see cref="GraphAuthFailureCause.TokenAcquisitionFailed"/>), throws the <see cref="GraphAuthException"/> with the
    /// real AADSTS code. See <see cref="GraphAuthFailureScenario.For"/>.</summary>
    /// <param name="cause">Any cause but <see cref="GraphAuthFailureCause.Unknown"/>.</param>
    /// <param name="timeProvider">The clock for expiry; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <returns>A new token source.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cause"/> has no scenario.</exception>
    public static FakeGraphTokenSource For(GraphAuthFailureCause cause, TimeProvider? timeProvider = null) =>
        GraphAuthFailureScenario.For(cause).CreateTokenSource(timeProvider);

    /// <summary>Gets or sets the lifetime of issued tokens.</summary>
    /// <value>Defaults to one hour.</value>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how a token is made from the request and its sequence number (1-based).</summary>
    public Func<GraphTokenRequest, int, string> TokenFactory { get; set; }

    /// <summary>Gets or sets a failure to throw instead of issuing a token (for example a <see cref="GraphAuthException"/>).</summary>
    public Exception? Failure { get; set; }

    /// <summary>Gets or sets a function that decides, per request, whether to fail instead of issuing a token: it returns
    /// the exception to throw, or <see langword="null"/> to issue one. Consulted after <see cref="Failure"/>.</summary>
    /// <value>Defaults to <see langword="null"/>: no request fails.</value>
    public Func<GraphTokenRequest, Exception?>? FailureFactory { get; set; }

    /// <summary>Gets or sets an optional delay before each token is issued, to hold acquisitions in flight.</summary>
    public Func<GraphTokenRequest, CancellationToken, Task>? Delay { get; set; }

    /// <summary>Gets every request received, in order.</summary>
    public IReadOnlyList<GraphTokenRequest> Requests => [.. _requests];

    /// <summary>Gets how many tokens were asked for.</summary>
    public int CallCount => _requests.Count;

    /// <summary>Gets the last token issued, if any.</summary>
    public string? LastToken { get; private set; }

    /// <inheritdoc/>
    public async ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        _requests.Enqueue(request);
        if (Delay is { } delay)
        {
            await delay(request, cancellationToken).ConfigureAwait(false);
        }

        if (Failure is { } failure)
        {
            throw failure;
        }

        if (FailureFactory?.Invoke(request) is { } made)
        {
            throw made;
        }

        var number = Interlocked.Increment(ref _issued);
        var token = TokenFactory(request, number);
        LastToken = token;
        return new GraphAccessToken(token, _time.GetUtcNow() + Lifetime);
    }
}
