using System.Text.Json;
using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Tests.Diagnosis;

/// <summary>Each permission's display texts, privilege levels, consent and global-cloud ids, checked against the
/// reference files they are generated from.</summary>
public class GraphPermissionInfoTests
{
    private static readonly string[] Schemes = ["DelegatedWork", "DelegatedPersonal", "Application"];

    [TestCase("User.Read", 0, "e1fe6dd8-ba31-4d61-89e7-88639da4683d")]
    [TestCase("User.Read.All", 2, "df021288-bdef-4463-88db-98f22de89214")]
    [TestCase("AuditLog.Read.All", 2, "b0afded3-3588-46d8-8b3d-9842eff778da")]
    public void Id_SpotChecksOfTheReference_Match(string name, int scheme, string id)
    {
        var permission = GraphPermissionCatalog.Default.Permission(name)!;

        Assert.That(permission.Id((GraphPermissionScheme)scheme), Is.EqualTo(Guid.Parse(id)));
    }

    [Test]
    public void Permission_EveryMapPermission_HasTheMapsTextsLevelsAndConsent()
    {
        using var map = JsonDocument.Parse(File.ReadAllText(GraphPermissionCatalogGeneratorTests.Paths.Map));
        var checkedTexts = 0;
        foreach (var property in map.RootElement.GetProperty("permissions").EnumerateObject())
        {
            var info = GraphPermissionCatalog.Default.Permissions.Single(p => p.Name == property.Name);
            var schemes = property.Value.GetProperty("schemes");
            for (var s = 0; s < 3; s++)
            {
                var scheme = (GraphPermissionScheme)s;
                var exists = schemes.TryGetProperty(Schemes[s], out var entry);
                Assert.That(info.Exists(scheme), Is.EqualTo(exists), $"{property.Name} {scheme}");
                if (!exists)
                {
                    Assert.That(info.AdminDisplayName(scheme), Is.Null);
                    continue;
                }

                Assert.That(info.RequiresAdminConsent(scheme), Is.EqualTo(entry.GetProperty("requiresAdminConsent").GetBoolean()), $"{property.Name} {scheme}");
                Assert.That(info.PrivilegeLevel(scheme), Is.EqualTo(entry.TryGetProperty("privilegeLevel", out var level) ? level.GetInt32() : 0));
                if (entry.TryGetProperty("adminDisplayName", out var admin) && !string.IsNullOrWhiteSpace(admin.GetString()))
                {
                    Assert.That(info.AdminDisplayName(scheme), Is.EqualTo(admin.GetString()!.Trim()));
                    checkedTexts++;
                }

                if (entry.TryGetProperty("userDisplayName", out var user) && !string.IsNullOrWhiteSpace(user.GetString()))
                {
                    Assert.That(info.UserDisplayName(scheme), Is.EqualTo(user.GetString()!.Trim()));
                }
            }
        }

        Assert.That(checkedTexts, Is.GreaterThan(1000));
    }

    [Test]
    public void Id_EveryPermissionWithAPublicEntry_IsTheReferenceIdAndNoOtherHasOne()
    {
        using var provisioning = JsonDocument.Parse(File.ReadAllText(GraphPermissionCatalogGeneratorTests.Paths.Provisioning));
        var deployments = provisioning.RootElement.GetProperty("permissionDeployments");
        int withId = 0, total = 0;
        foreach (var info in GraphPermissionCatalog.Default.Permissions)
        {
            total++;
            var expected = new Guid?[2];
            var entries = deployments.EnumerateObject().FirstOrDefault(p => p.Name == info.Name).Value;
            if (entries.ValueKind == JsonValueKind.Undefined)
            {
                entries = deployments.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, info.Name, StringComparison.OrdinalIgnoreCase)).Value;
            }

            if (entries.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in entries.EnumerateArray())
                {
                    var environments = entry.GetProperty("environment").GetString()!.ToLowerInvariant().Split(';');
                    var slot = entry.GetProperty("scheme").GetString() switch { "DelegatedWork" => 0, "Application" => 1, _ => -1 };
                    if (slot >= 0 && environments.Contains("public") && entry.TryGetProperty("id", out var id) && Guid.TryParseExact(id.GetString(), "D", out var guid))
                    {
                        expected[slot] = guid;
                    }
                }
            }

            Assert.That(info.ScopeId, Is.EqualTo(expected[0]), info.Name);
            Assert.That(info.AppRoleId, Is.EqualTo(expected[1]), info.Name);
            withId += info.ScopeId is not null || info.AppRoleId is not null ? 1 : 0;
        }

        TestContext.Out.WriteLine($"{withId} of {total} map permissions have a global-cloud id");
        Assert.That(total, Is.EqualTo(917));
        Assert.That(withId, Is.EqualTo(869));
    }

    [Test]
    public void Id_MalformedReferenceId_IsSkipped()
    {
        // The reference's one id that is not a GUID (one hex digit too many) is this permission's Application id;
        // its delegated id (resourceAppId naming another resource, which is never read) is well formed.
        var permission = GraphPermissionCatalog.Default.Permission("LifecyclePolicies-AgentId.Read.All")!;

        Assert.That(permission.AppRoleId, Is.Null);
        Assert.That(permission.ScopeId, Is.EqualTo(Guid.Parse("3d09c9ee-9db9-4c84-85ec-f63a21b4ad2c")));
        Assert.That(GraphPermissionCatalog.Default.Permissions.Where(p => p.AppRoleId == Guid.Empty || p.ScopeId == Guid.Empty), Is.Empty);
    }

    [Test]
    public void IdInCloud_OnlyWhereTheReferenceNamesTheCloud()
    {
        var userRead = GraphPermissionCatalog.Default.Permission("User.Read")!;
        var evaluate = GraphPermissionCatalog.Default.Permission("SensitivityLabel.Evaluate.All")!;

        Assert.That(userRead.Id(GraphPermissionScheme.DelegatedWork, "global"), Is.EqualTo(Guid.Parse("e1fe6dd8-ba31-4d61-89e7-88639da4683d")));
        Assert.That(userRead.Id(GraphPermissionScheme.DelegatedWork, "usgov"), Is.Null, "the reference's entry names the public cloud only");
        Assert.That(userRead.Id(GraphPermissionScheme.DelegatedWork, "china"), Is.Null);
        Assert.That(evaluate.Id(GraphPermissionScheme.Application, "usgov"), Is.EqualTo(Guid.Parse("986fa56a-6680-4aac-af09-4d1765376739")), "public;FairFax");
        Assert.That(evaluate.Id(GraphPermissionScheme.DelegatedWork, "usgov"), Is.EqualTo(Guid.Parse("a42e3c42-b31e-4919-b699-696dca5dc9e7")));
    }
}
