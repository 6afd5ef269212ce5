using GraphAuthResilience.Tokens;

namespace GraphAuthResilience.Tests.Tokens;

public class TokenCacheEntryTests
{
    private static readonly GraphScopeSet Scopes = GraphScopeSet.From(["https://graph.microsoft.com/.default"]);
    private static readonly GraphAccessToken Token = new("token-value", DateTimeOffset.UtcNow.AddHours(1));

    [Test]
    public void Fill_PublishesASnapshotWithTheRefreshDeadline()
    {
        var entry = NewEntry();

        lock (entry.Gate)
        {
            entry.Fill(Token, new TokenDeadlines(2_000, 1_500), "hash");
        }

        Assert.That(entry.Fresh, Is.EqualTo(new FreshToken(Token, 1_500)));
        Assert.That(entry.Token, Is.EqualTo("token-value"));
        Assert.That(entry.TokenHash, Is.EqualTo("hash"));
    }

    [Test]
    public void Defer_KeepsTheTokenAndMovesOnlyItsRefreshTime()
    {
        var entry = NewEntry();
        lock (entry.Gate)
        {
            entry.Fill(Token, new TokenDeadlines(2_000, 1_500), null);
            entry.Defer(1_800);
        }

        Assert.That(entry.Deadlines, Is.EqualTo(new TokenDeadlines(2_000, 1_800)));
        Assert.That(entry.Fresh!.RefreshAt, Is.EqualTo(1_800));
        Assert.That(entry.Fresh.Token, Is.EqualTo(Token));
    }

    [Test]
    public void Clear_ThenDefer_NothingServes()
    {
        var entry = NewEntry();
        lock (entry.Gate)
        {
            entry.Fill(Token, new TokenDeadlines(2_000, 1_500), "hash");
            entry.Clear();
            entry.Defer(1_800);
        }

        Assert.That(entry.Fresh, Is.Null);
        Assert.That(entry.Token, Is.Null);
        Assert.That(entry.TokenHash, Is.Null);
    }

    [Test]
    public void Fill_ClearsTheMarkOfATokenRejectedElsewhere()
    {
        var entry = NewEntry();
        lock (entry.Gate)
        {
            entry.RejectedElsewhere = "old";
            entry.Fill(Token, new TokenDeadlines(2_000, 1_500), null);
        }

        Assert.That(entry.RejectedElsewhere, Is.Null);
    }

    [Test]
    public async Task PinTenant_ManyAtOnce_TheFirstDirectoryIdWinsForGood()
    {
        var entry = new TokenCacheEntry(new TokenCacheKey("tenant:contoso.com", Scopes.Key, null), Scopes, new object());
        var ids = Enumerable.Range(0, 16).Select(i => $"00000000-0000-0000-0000-{i:D12}").ToArray();

        var pinned = await Task.WhenAll(ids.Select(id => Task.Run(() => entry.PinTenant(id))));

        Assert.That(pinned.Distinct().Count(), Is.EqualTo(1), "every caller sees the same pinned id");
        Assert.That(entry.DomainTenantId, Is.EqualTo(pinned[0]));
        Assert.That(entry.PinTenant("11111111-1111-1111-1111-111111111111"), Is.EqualTo(pinned[0]));
    }

    private static TokenCacheEntry NewEntry() => new(new TokenCacheKey(null, Scopes.Key, null), Scopes, new object());
}
