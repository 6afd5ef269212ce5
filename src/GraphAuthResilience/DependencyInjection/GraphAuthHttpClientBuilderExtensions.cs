using GraphAuthResilience;
using GraphAuthResilience.Batching;
using GraphAuthResilience.Chain;
using GraphAuthResilience.Challenges;
using GraphAuthResilience.DependencyInjection;
using GraphAuthResilience.Diagnosis;
using GraphAuthResilience.Permissions;
using GraphAuthResilience.Telemetry;
using GraphAuthResilience.Tokens;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Graph auth chain on a named <see cref="HttpClient"/>.</summary>
public static class GraphAuthHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds the Graph auth chain to this client, outermost first: the failure handler (typed
    /// <see cref="GraphAuthException"/>s), the batch handler (JSON batches: steps a token fixes re-sent once, the
    /// others diagnosed per step), the challenge handler (claims challenges and refreshable 401s, replayed
    /// once), the permission recorder when <see cref="GraphAuthOptions.RecordPermissionUse"/> is on (read through
    /// <see cref="IGraphPermissionUsage"/>, a singleton registered here) and the token handler (bearer tokens from a
    /// single-flight cache). Calling it again for the same client
    /// only applies <paramref name="configure"/>; the handlers are added once. Added in
    /// <c>ConfigureHttpClientDefaults</c>, the chain serves every client that has no chain of its own, the unnamed
    /// client of <c>IHttpClientFactory.CreateClient()</c> included; a client that
    /// adds its own gets only that one.
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
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GraphAuthOptions>, GraphAuthOptionsRangeValidator>());
        builder.Services.AddMetrics(); // the container's IMeterFactory: one meter per container
        builder.Services.TryAddSingleton<GraphAuthMetrics>();
        builder.Services.TryAddSingleton<GraphAuthHandlerFactory>();
        builder.Services.TryAddSingleton(sp => new GraphPermissionUsage(sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        builder.Services.TryAddSingleton<IGraphPermissionUsage>(sp => sp.GetRequiredService<GraphPermissionUsage>());

        var isDefaults = builder.Name is null;
        var chainMarker = new GraphAuthChainMarker(name, isDefaults);
        var alreadyAdded = builder.Services.Any(d =>
            d.ServiceType == typeof(GraphAuthChainMarker) && Equals(d.ImplementationInstance, chainMarker));
        if (alreadyAdded)
        {
            return builder;
        }

        builder.Services.AddSingleton(chainMarker);

        // One builder action adds the three handlers in order, in the same place as AddHttpMessageHandler would, so
        // the chain keeps its position among the client's other handlers. It sees the real client name, which lets a
        // chain from ConfigureHttpClientDefaults step aside for a client that has a chain of its own.
        void AddChain(HttpMessageHandlerBuilder handlers)
        {
            // The defaults' own marker is named "" too, like the unnamed client (CreateClient()): only a client's
            // own chain counts here, never the defaults' marker.
            if (isDefaults && handlers.Name is { } clientName && handlers.Services.GetServices<GraphAuthChainMarker>()
                    .Any(m => !m.IsDefaults && string.Equals(m.Name, clientName, StringComparison.Ordinal)))
            {
                return;
            }

            var factory = handlers.Services.GetRequiredService<GraphAuthHandlerFactory>();
            var chain = new GraphAuthChain(factory.Time); // what the three handlers of this chain share, and nothing else does
            handlers.AdditionalHandlers.Add(new GraphAuthFailureHandler(
                factory.Options(name), factory.Logger("GraphAuthResilience.FailureHandler"), chain, factory.Time, metrics: factory.Metrics));
            var cache = factory.Cache(name);
            // The recorder only when asked for: with recording off the chain is exactly what it was, at no cost. The token
            // handler counts each call as it is sent; the challenge handler, which sees every 401/403, counts refusals,
            // and the batch handler, which reads each step's status, the refused steps of a $batch.
            var recorder = factory.Options(name).RecordPermissionUse
                ? new GraphPermissionRecorder(handlers.Services.GetRequiredService<GraphPermissionUsage>())
                : null;
            handlers.AdditionalHandlers.Add(new GraphBatchHandler(
                factory.Options(name), BatchStepDiagnosis.Create(null, factory.Time), cache.Invalidate,
                factory.Logger("GraphAuthResilience.BatchHandler"), chain, factory.Metrics, recorder));
            handlers.AdditionalHandlers.Add(new GraphChallengeHandler(
                factory.Options(name), factory.Logger("GraphAuthResilience.ChallengeHandler"), chain, factory.Metrics, recorder));
            handlers.AdditionalHandlers.Add(new GraphTokenHandler(
                factory.Cache(name), factory.Options(name), factory.Logger("GraphAuthResilience.TokenHandler"), chain, recorder));
        }

        if (isDefaults)
        {
            builder.Services.ConfigureAll<HttpClientFactoryOptions>(o => o.HttpMessageHandlerBuilderActions.Add(AddChain));
        }
        else
        {
            builder.Services.Configure<HttpClientFactoryOptions>(name, o => o.HttpMessageHandlerBuilderActions.Add(AddChain));
        }

        return builder;
    }

    /// <summary>Marks a client name whose chain is registered, so a repeated call adds no second chain;
    /// <paramref name="IsDefaults"/> tells the chain of <c>ConfigureHttpClientDefaults</c> from a client's own.</summary>
    private sealed record GraphAuthChainMarker(string Name, bool IsDefaults);
}
