using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GraphAuthResilience.Testing;

/// <summary>
/// Builds unsigned JWTs (<c>alg: none</c>) with the claims diagnosis reads: <c>aud</c>, <c>tid</c>, <c>scp</c>,
/// <c>roles</c>, <c>idtyp</c>, <c>exp</c>. For tests only: Graph would reject them, the chain does not validate them.
/// </summary>
public sealed class UnsignedJwt
{
    private readonly JsonObject _payload = new();

    private UnsignedJwt()
    {
    }

    /// <summary>Starts an app-only Graph token (<c>idtyp=app</c>, <c>roles</c> empty) expiring in an hour.</summary>
    /// <returns>The builder.</returns>
    public static UnsignedJwt AppOnly() => new UnsignedJwt()
        .WithAudience("https://graph.microsoft.com")
        .WithTenant("11111111-2222-3333-4444-555555555555")
        .WithClaim("idtyp", "app")
        .WithClaim("appid", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
        .ExpiresAt(DateTimeOffset.UtcNow.AddHours(1));

    /// <summary>Starts a delegated Graph token (<c>idtyp=user</c>) with the given scopes, expiring in an hour.</summary>
    /// <param name="scopes">The delegated scopes (<c>scp</c>).</param>
    /// <returns>The builder.</returns>
    public static UnsignedJwt Delegated(params string[] scopes) => new UnsignedJwt()
        .WithAudience("https://graph.microsoft.com")
        .WithTenant("11111111-2222-3333-4444-555555555555")
        .WithClaim("idtyp", "user")
        .WithClaim("appid", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
        .WithScopes(scopes)
        .ExpiresAt(DateTimeOffset.UtcNow.AddHours(1));

    /// <summary>Sets the audience (<c>aud</c>).</summary>
    /// <param name="audience">For example <c>https://graph.windows.net</c> for an Azure AD Graph token.</param>
    /// <returns>The builder.</returns>
    public UnsignedJwt WithAudience(string audience) => WithClaim("aud", audience);

    /// <summary>Sets the tenant (<c>tid</c>).</summary>
    /// <param name="tenantId">The tenant id; <see cref="GraphTokenInfo.PersonalAccountTenantId"/> for a personal account.</param>
    /// <returns>The builder.</returns>
    public UnsignedJwt WithTenant(string tenantId) => WithClaim("tid", tenantId);

    /// <summary>Makes the token a personal Microsoft account's.</summary>
    /// <returns>The builder.</returns>
    public UnsignedJwt AsPersonalAccount() => WithTenant(GraphTokenInfo.PersonalAccountTenantId);

    /// <summary>Sets the delegated scopes (<c>scp</c>, space separated).</summary>
    /// <param name="scopes">The scopes.</param>
    /// <returns>The builder.</returns>
    public UnsignedJwt WithScopes(params string[] scopes) => WithClaim("scp", string.Join(' ', scopes));

    /// <summary>Sets the application roles (<c>roles</c>).</summary>
    /// <param name="roles">The roles.</param>
    /// <returns>The builder.</returns>
    public UnsignedJwt WithRoles(params string[] roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        _payload["roles"] = new JsonArray([.. roles.Select(r => (JsonNode?)JsonValue.Create(r))]);
        return this;
    }

    /// <summary>Sets the expiry (<c>exp</c>).</summary>
    /// <param name="expiresOn">When the token expires.</param>
    /// <returns>The builder.</returns>
    public UnsignedJwt ExpiresAt(DateTimeOffset expiresOn)
    {
        _payload["exp"] = expiresOn.ToUnixTimeSeconds();
        return this;
    }

    /// <summary>Sets any string claim.</summary>
    /// <param name="name">The claim name.</param>
    /// <param name="value">The value.</param>
    /// <returns>The builder.</returns>
    public UnsignedJwt WithClaim(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _payload[name] = value;
        return this;
    }

    /// <summary>Builds the compact JWT: base64url header, payload, and an empty signature.</summary>
    /// <returns>The token.</returns>
    public string Build()
    {
        var header = Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Encode(_payload.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        return $"{header}.{payload}.";
    }

    /// <inheritdoc cref="Build"/>
    public override string ToString() => Build();

    private static string Encode(string json)
    {
        // System.Buffers.Text.Base64Url: the BCL from net9.0, Microsoft.Bcl.Memory (through the library) on net8.0.
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
    }
}
