using FsCheck;
using FsCheck.Fluent;
using GraphAuthResilience.Tests.Reliability;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.Logging.Abstractions;

namespace GraphAuthResilience.Tests.Security;

/// <summary>The token cache never serves a token minted for one scope set or claims value to another.</summary>
public class CacheIsolationTests
{
    private static readonly string[][] ScopeSets =
    [
        ["https://graph.microsoft.com/.default"],
        ["User.Read"],
        ["User.Read", "Mail.Read"],
        ["Mail.Read", "User.Read"],
        ["https://graph.microsoft.us/.default"],
    ];

    private static readonly string?[] ClaimsValues =
    [
        null,
        """{"access_token":{"nbf":{"essential":true,"value":"1"}}}""",
        """{"access_token":{"nbf":{"essential":true,"value":"2"}}}""",
        """{"access_token":{"xms_cc":{"values":["cp1"]}}}""",
    ];

    [Test]
    public async Task GetTokenAsync_RandomInterleavingsOfScopesAndClaims_EveryAnswerWasMintedForItsOwnKey()
    {
        var gen =
            from steps in Gen.Zip(Gen.Choose(0, ScopeSets.Length - 1), Gen.Choose(0, ClaimsValues.Length + 20)).ListOf()
            from rejectEvery in Gen.Choose(0, 5)
            select (Steps: steps.ToArray(), RejectEvery: rejectEvery);
        var cases = 0;

        var check = Task.Run(() => Check.One(
            FuzzSeed.Apply(Config.QuickThrowOnFailure).WithMaxTest(2_000).WithQuietOnSuccess(true),
            Prop.ForAll(gen.ToArbitrary(), c =>
            {
                Interlocked.Increment(ref cases);
                // A small bound, so that the distinct claims values force evictions mid-interleaving.
                var cache = new GraphTokenCache(new LoadTests.KeyEchoSource(), TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance, maxEntries: 8);
                var tasks = c.Steps.Select(async (step, i) =>
                {
                    var scopes = ScopeSets[step.Item1];
                    // Indexes past the table make distinct claims values, enough to force evictions.
                    var claims = step.Item2 < ClaimsValues.Length ? ClaimsValues[step.Item2] : "{\"access_token\":{\"nbf\":{\"value\":\"" + step.Item2 + "\"}}}";
                    var rejected = c.RejectEvery > 0 && i % c.RejectEvery == 0 ? LoadTests.KeyEchoSource.TokenFor(scopes, claims) : null;
                    var token = await cache.GetTokenAsync(scopes, claims, rejected, CancellationToken.None);
                    return token.Value == LoadTests.KeyEchoSource.TokenFor(scopes, claims);
                }).ToArray();
                return Task.WhenAll(tasks).GetAwaiter().GetResult().All(ok => ok);
            })));
        await check.WaitAsync(TimeSpan.FromSeconds(30));

        await TestContext.Out.WriteLineAsync($"cache isolation: {cases} generated interleavings");
        Assert.That(cases, Is.EqualTo(2_000));
    }

    [Test]
    public async Task GetTokenAsync_ScopeOrder_IsPartOfTheKeyAndNeverCrossesClaims()
    {
        var cache = new GraphTokenCache(new LoadTests.KeyEchoSource(), TimeProvider.System, TimeSpan.FromMinutes(5), NullLogger.Instance);

        var plain = await cache.GetTokenAsync(["User.Read"], null, null, CancellationToken.None);
        var withClaims = await cache.GetTokenAsync(["User.Read"], ClaimsValues[1], null, CancellationToken.None);
        var plainAgain = await cache.GetTokenAsync(["User.Read"], null, null, CancellationToken.None);
        var other = await cache.GetTokenAsync(["Mail.Read"], null, null, CancellationToken.None);

        Assert.That(withClaims.Value, Is.Not.EqualTo(plain.Value));
        Assert.That(plainAgain.Value, Is.EqualTo(plain.Value));
        Assert.That(other.Value, Does.Contain("Mail.Read").And.Not.Contain("User.Read"));
    }
}
