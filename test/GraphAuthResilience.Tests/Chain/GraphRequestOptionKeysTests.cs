using System.Reflection;
using GraphAuthResilience.Chain;

namespace GraphAuthResilience.Tests.Chain;

public class GraphRequestOptionKeysTests
{
    [Test]
    public void EveryRequestOptionsKeyOfTheLibrary_IsListedInGraphRequestOptionKeys()
    {
        var listed = typeof(GraphRequestOptionKeys).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet(StringComparer.Ordinal);
        var used = typeof(GraphAuthOptions).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(f => f.FieldType.IsGenericType && f.FieldType.GetGenericTypeDefinition() == typeof(HttpRequestOptionsKey<>) && !f.DeclaringType!.ContainsGenericParameters)
            .Select(f => (string)f.FieldType.GetProperty(nameof(HttpRequestOptionsKey<object>.Key))!.GetValue(f.GetValue(null))!)
            .ToArray();

        Assert.That(used, Has.Length.GreaterThanOrEqualTo(6), "the keys were found");
        Assert.That(used, Is.SubsetOf(listed));
        Assert.That(used.Distinct().Count(), Is.EqualTo(used.Length), "one key, one owner type");
    }

    [TestCase("GraphAuthResilience.ChallengeState", true)]
    [TestCase("GraphAuthResilience.SendDirective", true)]
    [TestCase("GraphAuthResilience.Failure", true)]
    [TestCase("GraphAuthResilience.Batch", true)]
    [TestCase("GraphAuthResilience.Scopes", false)]
    [TestCase("GraphAuthResilience.Tenant", false)]
    public void IsChainState_ChainStateButNotTheCallersInputs(string key, bool expected) =>
        Assert.That(GraphRequestOptionKeys.IsChainState(key), Is.EqualTo(expected));
}
