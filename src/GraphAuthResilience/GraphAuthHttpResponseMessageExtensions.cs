using GraphAuthResilience.Chain;

namespace GraphAuthResilience;

/// <summary>Reads the chain's diagnosis from a response when <see cref="GraphAuthOptions.ThrowOnAuthFailure"/> is off.</summary>
public static class GraphAuthHttpResponseMessageExtensions
{
    /// <summary>Gets the diagnosis of an auth failure this response carries, as the exception that would have been thrown.</summary>
    /// <param name="response">A response returned through the chain.</param>
    /// <returns>The diagnosis, or <see langword="null"/> when the response is not an auth failure.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="response"/> is <see langword="null"/>.</exception>
    public static GraphAuthException? GetGraphAuthFailure(this HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return GraphAuthFailureRecord.Get(response);
    }
}
