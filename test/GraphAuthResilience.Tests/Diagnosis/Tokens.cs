namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>What diagnosis reads from a token, for catalog and classifier tests.</summary>
internal static class Tokens
{
    public const string Tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    public static GraphTokenInfo Delegated(params string[] scopes) =>
        new("https://graph.microsoft.com", Tenant, scopes, [], isAppOnly: false, DateTimeOffset.UtcNow.AddHours(1));

    public static GraphTokenInfo AppOnly(params string[] roles) =>
        new("https://graph.microsoft.com", Tenant, [], roles, isAppOnly: true, DateTimeOffset.UtcNow.AddHours(1));

    public static GraphTokenInfo Personal(params string[] scopes) =>
        new("00000003-0000-0000-c000-000000000000", GraphTokenInfo.PersonalAccountTenantId, scopes, [], isAppOnly: false, DateTimeOffset.UtcNow.AddHours(1));
}
