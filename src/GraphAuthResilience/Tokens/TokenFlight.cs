namespace GraphAuthResilience.Tokens;

/// <summary>
/// One acquisition shared by every request that needs the same entry (single flight). It ends exactly once, by
/// whichever comes first: the source's answer, the acquisition timeout, or the last waiter giving up (abandoned, so
/// that the next request can start a new one). Waiters only ever wait on <see cref="Completion"/>, which is always
/// completed: nothing a source, a logger or a clock throws can leave it pending.
/// </summary>
internal sealed class TokenFlight(bool forced, bool background, CancellationTokenSource bound)
{
    private int _finished;
    private int _abandoned;

    /// <summary>Gets the outcome every waiter awaits (continuations run asynchronously).</summary>
    public TaskCompletionSource<GraphAccessToken> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets a value indicating whether the source was asked to bypass its caches.</summary>
    public bool Forced { get; } = forced;

    /// <summary>Gets a value indicating whether this is a refresh ahead that no request waits for.</summary>
    public bool Background { get; } = background;

    /// <summary>Gets the source's cancellation: fires at the acquisition timeout or when the flight is abandoned.</summary>
    public CancellationTokenSource Bound { get; } = bound;

    /// <summary>Gets the SHA-256 (lower-case hex) of the token whose rejection forced this flight, for sources that
    /// refresh only when their cached token is that one (MSAL's <c>WithAccessTokenSha256ToRefresh</c>).</summary>
    public string? RejectedTokenSha256 { get; init; }

    /// <summary>Gets or sets how many requests wait for this flight (under the entry's gate).</summary>
    public int Waiters { get; set; }

    /// <summary>Gets or sets the registration of the timeout/abandonment callback.</summary>
    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>Gets a value indicating whether every waiter gave up before the answer.</summary>
    public bool Abandoned => Volatile.Read(ref _abandoned) == 1;

    /// <summary>Claims the right to complete the flight.</summary>
    /// <returns><see langword="true"/> for the first caller only.</returns>
    public bool TryFinish() => Interlocked.Exchange(ref _finished, 1) == 0;

    /// <summary>Abandons the flight: the source's call is cancelled and the waiters (none) are answered.</summary>
    public void Abandon()
    {
        Volatile.Write(ref _abandoned, 1);
        try
        {
            Bound.Cancel();
        }
        catch (Exception)
        {
            // Already disposed (the answer came first) or a callback threw: the flight is finished either way.
        }
    }

    /// <summary>Releases the timer and the registration once the source has answered.</summary>
    public void Release()
    {
        try
        {
            Registration.Dispose();
            Bound.Dispose();
        }
        catch (Exception)
        {
            // Nothing to do: releasing is best effort.
        }
    }
}
