namespace GraphAuthResilience.Graph;

/// <summary>
/// Counts, within one async flow, how often the failure-path parsers ran: <c>WWW-Authenticate</c> readings,
/// claims decodings and JWT payload readings. Tests begin a count around one call to prove that a handler reuses
/// what another one parsed instead of parsing again. Nothing is counted (one <see cref="AsyncLocal{T}"/> read per
/// parse) unless a count was begun in the calling flow; the parsers run only on 400/401/403/404 answers, never on a 2xx.
/// </summary>
internal static class GraphParseCounts
{
    private static readonly AsyncLocal<Counter?> Current = new();

    /// <summary>Begins counting the parses made from the calling flow (and the flows it starts) until disposed.</summary>
    /// <returns>The counter.</returns>
    public static Counter Begin()
    {
        var counter = new Counter();
        Current.Value = counter;
        return counter;
    }

    internal static void WwwAuthenticateRead()
    {
        if (Current.Value is { } counter)
        {
            Interlocked.Increment(ref counter.WwwAuthenticateField);
        }
    }

    internal static void ClaimsDecoded()
    {
        if (Current.Value is { } counter)
        {
            Interlocked.Increment(ref counter.ClaimsField);
        }
    }

    internal static void TokenPayloadRead()
    {
        if (Current.Value is { } counter)
        {
            Interlocked.Increment(ref counter.TokenPayloadField);
        }
    }

    /// <summary>The parses counted since <see cref="Begin"/>.</summary>
    internal sealed class Counter : IDisposable
    {
        internal int WwwAuthenticateField;
        internal int ClaimsField;
        internal int TokenPayloadField;

        /// <summary>Gets how many times <c>WWW-Authenticate</c> headers (of a response, or one raw value) were read.</summary>
        public int WwwAuthenticate => Volatile.Read(ref WwwAuthenticateField);

        /// <summary>Gets how many claims values were decoded (base64 or JSON, then checked as a JSON object).</summary>
        public int Claims => Volatile.Read(ref ClaimsField);

        /// <summary>Gets how many JWT payloads were read.</summary>
        public int TokenPayload => Volatile.Read(ref TokenPayloadField);

        /// <summary>Stops counting in the flow that began the count.</summary>
        public void Dispose()
        {
            if (ReferenceEquals(Current.Value, this))
            {
                Current.Value = null;
            }
        }
    }
}
