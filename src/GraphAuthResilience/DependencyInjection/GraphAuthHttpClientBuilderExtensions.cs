using GraphAuthResilience;
using GraphAuthResilience.Challenges;
using GraphAuthResilience.DependencyInjection;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Graph auth chain on a named <see cref="HttpClient"/>.</summary>
public static class GraphAuthHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds the Graph auth chain to this client, outermost first: the failure handler (typed
    /// <see cref="GraphAuthException"/>s), the challenge handler (claims challenges and refreshable 401s, replayed
    /// once) and the token handler (bearer tokens from a single-flight cache). Calling it again for the same client
    /// only applies <paramref name="configure"/>; the handlers are added once.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Configures the options of this client (named after <see cref="IHttpClientBuilder.Name"/>).</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>Options are validated when the host starts and, without a host, when the client is first created;
    /// an invalid setting throws <see cref="OptionsValidationException"/> whose message names it.</remarks>
    public static IHttpClientBuilder AddGraphAuthHandlers(this IHttpClientBuilder builder, Action<GraphAuthOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // ConfigureHttpClientDefaults gives a builder without a name: those clients share the default options and cache.
        var name = builder.Name ?? Microsoft.Extensions.Options.Options.DefaultName;
        var optionsBuilder = builder.Services.AddOptions<GraphAuthOptions>(name);
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GraphAuthOptions>, GraphAuthOptionsValidator>());
        builder.Services.TryAddSingleton<GraphAuthHandlerFactory>();

        var alreadyAdded = builder.Services.Any(d =>
            d.ServiceType == typeof(GraphAuthChainMarker) && d.ImplementationInstance is GraphAuthChainMarker marker
            && string.Equals(marker.Name, name, StringComparison.Ordinal));
        if (alreadyAdded)
        {
            return builder;
        }

        builder.Services.AddSingleton(new GraphAuthChainMarker(name));
        builder.AddHttpMessageHandler(services =>
        {
            var factory = services.GetRequiredService<GraphAuthHandlerFactory>();
            return new GraphAuthFailureHandler(factory.Options(name), factory.Logger("GraphAuthResilience.FailureHandler"), factory.Time, name);
        });
        builder.AddHttpMessageHandler(services =>
        {
            var factory = services.GetRequiredService<GraphAuthHandlerFactory>();
            return new GraphChallengeHandler(factory.Cache(name), factory.Options(name), factory.Logger("GraphAuthResilience.ChallengeHandler"), name);
        });
        builder.AddHttpMessageHandler(services =>
        {
            var factory = services.GetRequiredService<GraphAuthHandlerFactory>();
            return new GraphTokenHandler(factory.Cache(name), factory.Options(name), factory.Logger("GraphAuthResilience.TokenHandler"), name);
        });
        return builder;
    }

    /// <summary>Marks a client name whose chain is registered, so a repeated call adds no second chain.</summary>
    private sealed record GraphAuthChainMarker(string Name);
}
