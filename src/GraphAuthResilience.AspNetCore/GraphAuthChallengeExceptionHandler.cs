using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.AspNetCore;

/// <summary>An <see cref="IExceptionHandler"/> (used by <c>app.UseExceptionHandler()</c>) that answers a
/// <see cref="GraphAuthSignInRequiredException"/> with the caller's claims challenge; anything else is left to the
/// next handler.</summary>
internal sealed class GraphAuthChallengeExceptionHandler(IOptions<GraphAuthChallengeOptions> options) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (GraphAuthChallengeResponse.Find(exception) is not { } failure || httpContext.Response.HasStarted)
        {
            return false;
        }

        await GraphAuthChallengeResponse.WriteAsync(httpContext, failure, options.Value).ConfigureAwait(false);
        return true;
    }
}
