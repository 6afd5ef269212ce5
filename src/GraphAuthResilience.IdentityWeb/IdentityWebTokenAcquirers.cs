using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Abstractions;

namespace GraphAuthResilience.IdentityWeb;

/// <summary>
/// Finds Identity.Web's <see cref="ITokenAcquirer"/> for one acquisition. Identity.Web registers its token acquisition
/// scoped by default (<c>AddTokenAcquisition(isTokenAcquisitionSingleton: false)</c>) while the chain's token cache
/// lives as long as the container, so the acquirer is never kept: it comes from the current request's services, or,
/// outside a request (app-only work in a background service), from a scope made for this acquisition alone.
/// </summary>
internal sealed class IdentityWebTokenAcquirers(IServiceProvider services, string? authenticationScheme)
{
    private readonly IHttpContextAccessor? _httpContext = services.GetService<IHttpContextAccessor>();

    /// <summary>Gets the current request, if any.</summary>
    public HttpContext? CurrentRequest => _httpContext?.HttpContext;

    /// <summary>Runs <paramref name="acquire"/> with the acquirer of the current request, or of a scope of its own.</summary>
    public async Task<AcquireTokenResult> RunAsync(Func<ITokenAcquirer, Task<AcquireTokenResult>> acquire)
    {
        if (CurrentRequest is { } request)
        {
            return await acquire(Acquirer(request.RequestServices)).ConfigureAwait(false);
        }

        var scope = services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await acquire(Acquirer(scope.ServiceProvider)).ConfigureAwait(false);
        }
    }

    /// <summary>Gets the acquirer from <paramref name="provider"/>.</summary>
    public ITokenAcquirer Acquirer(IServiceProvider provider) =>
        (provider.GetService<ITokenAcquirerFactory>() ?? throw NotRegistered()).GetTokenAcquirer(authenticationScheme ?? string.Empty);

    /// <summary>The options of one acquisition: the challenge's claims, a forced refresh and the request's tenant.</summary>
    public AcquireTokenOptions Options(GraphTokenRequest request) => new()
    {
        AuthenticationOptionsName = authenticationScheme,
        Claims = request.Claims,
        ForceRefresh = request.ForceRefresh,
        Tenant = request.TenantId,
    };

    /// <summary>What to do when Identity.Web's token acquisition is missing from the container.</summary>
    internal const string NotRegisteredRemediation =
        "Call AddMicrosoftIdentityWebApi(...).EnableTokenAcquisitionToCallDownstreamApi() (or services.AddTokenAcquisition()) when registering services.";

    private static GraphAuthException NotRegistered() => IdentityWebErrors.Failed(
        "Microsoft.Identity.Web's token acquisition (ITokenAcquirerFactory) is not registered.",
        NotRegisteredRemediation);
}
