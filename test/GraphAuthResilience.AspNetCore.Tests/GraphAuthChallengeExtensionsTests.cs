using Microsoft.Extensions.DependencyInjection;

namespace GraphAuthResilience.AspNetCore.Tests;

/// <summary><c>AddGraphAuthChallenges</c>: a repeated call is harmless.</summary>
public class GraphAuthChallengeExtensionsTests
{
    [Test]
    public void AddGraphAuthChallenges_CalledTwice_OneExceptionHandler()
    {
        var services = new ServiceCollection();

        services.AddGraphAuthChallenges().AddGraphAuthChallenges(o => o.WriteProblemDetails = false);

        Assert.That(services.Count(d => d.ServiceType == typeof(Microsoft.AspNetCore.Diagnostics.IExceptionHandler)), Is.EqualTo(1));
    }
}
