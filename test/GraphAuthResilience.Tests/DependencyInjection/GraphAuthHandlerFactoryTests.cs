using GraphAuthResilience.DependencyInjection;
using GraphAuthResilience.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace GraphAuthResilience.Tests.DependencyInjection;

/// <summary>The handlers' factory: one token cache per client name that outlives the handler rotation, the container's
/// clock, and a clear error when no token source is given.</summary>
public class GraphAuthHandlerFactoryTests
{
    [Test]
    public void Cache_SameNameTwice_OneCache()
    {
        using var provider = Provider(services => services.AddHttpClient("a").AddGraphAuthHandlers(o => o.TokenSource = new FakeGraphTokenSource()));
        var factory = provider.GetRequiredService<GraphAuthHandlerFactory>();

        Assert.That(factory.Cache("a"), Is.SameAs(factory.Cache("a")));
    }

    [Test]
    public void Cache_TwoClientNames_OneCacheEach()
    {
        using var provider = Provider(services =>
        {
            services.AddHttpClient("a").AddGraphAuthHandlers(o => o.TokenSource = new FakeGraphTokenSource());
            services.AddHttpClient("b").AddGraphAuthHandlers(o => o.TokenSource = new FakeGraphTokenSource());
        });
        var factory = provider.GetRequiredService<GraphAuthHandlerFactory>();

        Assert.That(factory.Cache("a"), Is.Not.SameAs(factory.Cache("b")));
    }

    [Test]
    public void Cache_NoTokenSourceAnywhere_FailsValidationNamingTheClientAndTheSetting()
    {
        using var provider = Provider(services => services.AddHttpClient("graph").AddGraphAuthHandlers());
        var factory = provider.GetRequiredService<GraphAuthHandlerFactory>();

        var ex = Assert.Throws<OptionsValidationException>(() => factory.Cache("graph"));

        Assert.That(ex!.Message, Does.Contain("'graph'").And.Contain("TokenSource").And.Contain("IGraphTokenSource"));
    }

    [Test]
    public void Cache_TokenSourceOnlyInTheContainer_IsUsed()
    {
        using var provider = Provider(services =>
        {
            services.AddSingleton<IGraphTokenSource>(new FakeGraphTokenSource());
            services.AddHttpClient("graph").AddGraphAuthHandlers();
        });

        Assert.That(provider.GetRequiredService<GraphAuthHandlerFactory>().Cache("graph"), Is.Not.Null);
    }

    [Test]
    public void Time_ClockInTheContainer_IsTheFactorysClock()
    {
        var clock = new FakeTimeProvider();
        using var provider = Provider(services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddHttpClient("graph").AddGraphAuthHandlers(o => o.TokenSource = new FakeGraphTokenSource());
        });
        using var withoutClock = Provider(services => services.AddHttpClient("graph").AddGraphAuthHandlers(o => o.TokenSource = new FakeGraphTokenSource()));

        Assert.That(provider.GetRequiredService<GraphAuthHandlerFactory>().Time, Is.SameAs(clock));
        Assert.That(withoutClock.GetRequiredService<GraphAuthHandlerFactory>().Time, Is.SameAs(TimeProvider.System));
    }

    private static ServiceProvider Provider(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        configure(services);
        return services.BuildServiceProvider();
    }
}
