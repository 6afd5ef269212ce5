using GraphAuthResilience;
using GraphAuthResilience.IdentityWeb;
using Microsoft.Identity.Abstractions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Graph auth chain to a client whose tokens come from Microsoft.Identity.Web.</summary>
public static class GraphAuthIdentityWebHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds the Graph auth chain (see <c>AddGraphAuthHandlers</c>) with Microsoft.Identity.Web's token acquisition as
    /// its token source: on behalf of the web API's caller by default, or app-only. The app keeps its
    /// <c>AddMicrosoftIdentityWebApi(...).EnableTokenAcquisitionToCallDownstreamApi()</c> registration; no second MSAL
    /// application is built. A <see cref="GraphAuthOptions.TokenSource"/> set by <paramref name="configure"/> wins.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="identityWeb">Chooses app-only and the Identity.Web scheme.</param>
    /// <param name="configure">Configures the chain's options for this client.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>When the host starts (options validation), a missing Identity.Web token acquisition fails with an
    /// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> that says what to call.</remarks>
    public static IHttpClientBuilder AddGraphAuthHandlersForIdentityWeb(
        this IHttpClientBuilder builder, Action<GraphAuthIdentityWebOptions>? identityWeb = null, Action<GraphAuthOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = new GraphAuthIdentityWebOptions();
        identityWeb?.Invoke(settings);
        var appOnly = settings.AppOnly;
        var scheme = settings.AuthenticationScheme;

        builder.Services.AddHttpContextAccessor();
        builder.AddGraphAuthHandlers(configure);
        builder.Services.AddOptions<GraphAuthOptions>(builder.Name ?? Microsoft.Extensions.Options.Options.DefaultName)
            .Configure<IServiceProvider>((options, services) =>
            {
                if (options.TokenSource is null && IsRegistered(services))
                {
                    options.TokenSource = appOnly ? IdentityWebTokenSource.ForApp(services, scheme) : IdentityWebTokenSource.OnBehalfOfCaller(services, scheme);
                }
            })
            .Validate<IServiceProvider>(
                (options, services) => options.TokenSource is not null || IsRegistered(services),
                "Microsoft.Identity.Web's token acquisition (ITokenAcquirerFactory) is not registered. " + IdentityWebTokenAcquirers.NotRegisteredRemediation);
        return builder;
    }

    private static bool IsRegistered(IServiceProvider services) =>
        services.GetService<IServiceProviderIsService>()?.IsService(typeof(ITokenAcquirerFactory)) ?? true;
}
