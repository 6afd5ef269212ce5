using System.Net;
using GraphAuthResilience.Batching;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Testing;
using GraphAuthResilience.Tokens;

namespace GraphAuthResilience.Tests.Security;

/// <summary>The internal records that hold a token print none of it: their text can reach a debugger display, an
/// assertion message or a log template argument.</summary>
public class InternalRecordTextTests
{
    private static readonly string Token = UnsignedJwt.Delegated("User.Read").WithClaim("oid", "text-test").Build();

    [Test]
    public void ToString_BatchStepFailureWithItsToken_NamesTheStepButNoPartOfTheToken()
    {
        var step = new BatchStepFailure(
            "3", HttpStatusCode.Unauthorized, HttpMethod.Get, new Uri("https://graph.microsoft.com/v1.0/users/adele@contoso.com"),
            "{\"access_token\":{}}", ReadOnlyMemory<byte>.Empty, Token, null, Resent: false);

        var text = step.ToString();

        Assert.That(text, Does.Contain("Id = 3").And.Contain("401").And.Contain("GET"));
        Assert.That(LeakScanner.Scan([text], [], [Token]), Is.Empty, "no part of the token");
        Assert.That(LeakScanner.JwtShapedOrKnownSecrets([text]), Is.Empty, "nothing token-shaped");
        Assert.That(text, Does.Not.Contain("adele"), "the path is redacted");
    }

    [Test]
    public void ToString_LastAttachedWithItsTokenAndHeader_PrintsNoPartOfTheToken()
    {
        var scopes = GraphScopeSet.From(["https://graph.microsoft.com/User.Read"]);
        var entry = new TokenCacheEntry(new TokenCacheKey("obo:ab", scopes.Key, null), scopes, new object());
        var fresh = new FreshToken(new GraphAccessToken(Token, DateTimeOffset.UtcNow.AddHours(1)), 0);
        var header = new GraphBearerHeader(new GraphAuthChain(), Token, "graph.microsoft.com", "obo:ab", scopes.Scopes, scopes.Key);
        var hit = new LastAttached(new object(), scopes, "graph.microsoft.com", entry, fresh, 0, header);

        var text = hit.ToString();

        Assert.That(text, Does.Contain("graph.microsoft.com"));
        Assert.That(LeakScanner.Scan([text], [], [Token]), Is.Empty, "no part of the token");
        Assert.That(LeakScanner.JwtShapedOrKnownSecrets([text]), Is.Empty, "nothing token-shaped");
    }
}
