using GraphAuthResilience.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the answer a web API gives its caller when on-behalf-of needs the caller (MFA, conditional
/// access, consent): 401 with a <c>WWW-Authenticate</c> claims challenge.</summary>
public static class GraphAuthChallengeExtensions
{
    /// <summary>Adds an <c>IExceptionHandler</c> that turns <see cref="GraphAuthResilience.GraphAuthSignInRequiredException"/>
    /// into the caller's claims challenge, and the problem details service (so <c>app.UseExceptionHandler()</c> needs
    /// no path; any other exception becomes a 500 problem document). The app must call <c>app.UseExceptionHandler()</c>.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the realm and authorization URI of the challenge.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <remarks>The options are validated when the app starts: a realm or authorization URI that cannot go into a
    /// header (not printable ASCII, quotes, backslashes, CR/LF; an authorization URI that is not absolute https) makes
    /// the start throw <see cref="OptionsValidationException"/> naming the setting.</remarks>
    public static IServiceCollection AddGraphAuthChallenges(this IServiceCollection services, Action<GraphAuthChallengeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<GraphAuthChallengeOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GraphAuthChallengeOptions>, GraphAuthChallengeOptionsValidator>());

        // A repeated call adds the handler once.
        if (!services.Any(d => d.ServiceType == typeof(Microsoft.AspNetCore.Diagnostics.IExceptionHandler) && d.ImplementationType == typeof(GraphAuthChallengeExceptionHandler)))
        {
            services.AddExceptionHandler<GraphAuthChallengeExceptionHandler>();
        }

        // UseExceptionHandler() without a path or handler delegate needs the problem details service; other
        // exceptions then become a plain 500 problem document.
        services.AddProblemDetails();

        return services;
    }

    /// <summary>Adds an endpoint filter that turns <see cref="GraphAuthResilience.GraphAuthSignInRequiredException"/>
    /// thrown by the endpoint into the caller's claims challenge (without <c>UseExceptionHandler</c>).</summary>
    /// <typeparam name="TBuilder">The endpoint or group builder.</typeparam>
    /// <param name="builder">The endpoint or route group.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static TBuilder WithGraphAuthChallenges<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddEndpointFilter(new GraphAuthChallengeEndpointFilter());
    }
}
