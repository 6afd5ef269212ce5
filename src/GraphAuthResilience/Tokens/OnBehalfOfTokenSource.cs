using System.Security.Cryptography;
using System.Text;

namespace GraphAuthResilience.Tokens;

/// <summary>The on-behalf-of source, partitioned by a SHA-256 hash of the incoming user assertion.</summary>
internal sealed class OnBehalfOfTokenSource(IGraphTokenSource inner, Func<CancellationToken, ValueTask<string>> userAssertion)
    : IPartitionedGraphTokenSource
{
    public ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken) =>
        inner.GetTokenAsync(request, cancellationToken);

    public async ValueTask<string> GetCachePartitionAsync(CancellationToken cancellationToken)
    {
        var assertion = await userAssertion(cancellationToken).ConfigureAwait(false) ?? string.Empty;
        return "obo:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(assertion)));
    }
}
