using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.AspNetCore;

/// <summary>An endpoint filter that answers a <see cref="GraphAuthSignInRequiredException"/> thrown by the endpoint
/// with the caller's claims challenge.</summary>
internal sealed class GraphAuthChallengeEndpointFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (GraphAuthChallengeResponse.Find(ex) is not null && !context.HttpContext.Response.HasStarted)
        {
            var options = context.HttpContext.RequestServices.GetService<IOptions<GraphAuthChallengeOptions>>()?.Value ?? new GraphAuthChallengeOptions();
            return new ChallengeResult(GraphAuthChallengeResponse.Find(ex)!, options);
        }
    }

    private sealed class ChallengeResult(GraphAuthSignInRequiredException failure, GraphAuthChallengeOptions options) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => GraphAuthChallengeResponse.WriteAsync(httpContext, failure, options);
    }
}
