using GraphAuthResilience.Demo.Fleet;
using Microsoft.Extensions.DependencyInjection;

namespace GraphAuthResilience.Redis.Tests;

/// <summary>A fleet sharing a real redis-server, calling Graph in several customer tenants through one client per
/// instance: one acquisition per tenant for the whole fleet (the lease is per tenant), and a revocation in one tenant
/// never drops another tenant's token.</summary>
[TestFixture]
[NonParallelizable]
public sealed class FleetTenantTests
{
    private const string TenantA = "0a0a0a0a-0000-4000-8000-00000000000a";
    private const string TenantB = "0b0b0b0b-0000-4000-8000-00000000000b";

    private static async Task<string> SendAsync(FleetInstance instance, string tenant)
    {
        var client = instance.Services.GetRequiredService<IHttpClientFactory>().CreateClient("graph");
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://graph.microsoft.com/v1.0/organization").SetGraphTenant(tenant);
        using var response = await client.SendAsync(request);
        Assert.That(response.IsSuccessStatusCode, Is.True, $"{tenant}: {(int)response.StatusCode}");
        var token = response.RequestMessage!.Headers.Authorization!.Parameter!;
        Assert.That(GraphTokenInfo.TryParse(token, out var info) ? info.TenantId : null, Is.EqualTo(tenant), "the token sent is of the request's tenant");
        return token;
    }

    [Test]
    public async Task ColdStart_FourInstancesTwoTenantsAtOnce_OneTokenRequestPerTenantForTheFleet()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(4);
        await fleet.WaitUntilSharedAsync();

        var sends = fleet.Instances.SelectMany(i => Enumerable.Range(0, 20).SelectMany(_ => new[] { SendAsync(i, TenantA), SendAsync(i, TenantB) })).ToArray();
        var tokens = await Task.WhenAll(sends);

        Assert.Multiple(() =>
        {
            Assert.That(fleet.TokenEndpoint.Requests.Select(r => r.Tenant).Order(), Is.EqualTo(new[] { TenantA, TenantB }), "one token request per tenant for the whole fleet");
            Assert.That(tokens.Distinct().Count(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task RevocationInOneTenant_OtherInstancesDropThatTenantsTokenOnly()
    {
        await using var fleet = await RedisFleetFixture.StartAsync(2);
        await fleet.WaitUntilSharedAsync();
        var (first, second) = (fleet.Instances[0], fleet.Instances[1]);
        var oldA = await SendAsync(first, TenantA);
        var oldB = await SendAsync(first, TenantB);
        Assert.That(await SendAsync(second, TenantA), Is.EqualTo(oldA), "shared through Redis");
        Assert.That(await SendAsync(second, TenantB), Is.EqualTo(oldB));
        var postsBefore = fleet.TokenEndpoint.Posts;

        fleet.Graph.Revoke(oldA);
        var newA = await SendAsync(first, TenantA);
        await RedisFleetFixture.WaitUntilAsync(
            () => Task.FromResult(RedisFleetFixture.Channel(second).Received >= 1), "the other instance heard of tenant A's rejected token");

        Assert.Multiple(async () =>
        {
            Assert.That(newA, Is.Not.EqualTo(oldA));
            Assert.That(await SendAsync(second, TenantB), Is.EqualTo(oldB), "tenant B's token is kept");
            Assert.That(await SendAsync(second, TenantA), Is.EqualTo(newA), "tenant A's revoked token is dropped; the new one comes from the shared cache");
            Assert.That(fleet.TokenEndpoint.Requests.Skip(postsBefore).Select(r => (r.Tenant, r.HasChallengeClaims)), Is.EqualTo(new[] { (TenantA, true) }), "one claims acquisition, for tenant A");
            Assert.That(fleet.Graph.Requests.Count(r => r.Carries(oldA)), Is.EqualTo(3), "the revoked token was sent twice before and once when Graph refused it, never again");
        });
    }
}
