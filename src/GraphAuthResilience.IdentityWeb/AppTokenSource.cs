namespace GraphAuthResilience.IdentityWeb;

/// <summary>App-only tokens (client credentials) from Identity.Web's <c>ITokenAcquirer.GetTokenForAppAsync</c>.</summary>
internal sealed class AppTokenSource(IdentityWebTokenAcquirers acquirers) : IGraphTokenSource
{
    public async ValueTask<GraphAccessToken> GetTokenAsync(GraphTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Scopes.Count != 1)
        {
            throw IdentityWebErrors.Failed(
                $"An app-only token is asked for one scope, not {request.Scopes.Count}.",
                "App-only tokens carry the application permissions granted to the app: set GraphAuthOptions.Scopes to the one scope https://graph.microsoft.com/.default.",
                request.Scopes);
        }

        try
        {
            var result = await acquirers.RunAsync(
                acquirer => acquirer.GetTokenForAppAsync(request.Scopes[0], acquirers.Options(request), cancellationToken)).ConfigureAwait(false);
            return new GraphAccessToken(result.AccessToken!, result.ExpiresOn);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not GraphAuthException)
        {
            throw IdentityWebErrors.Map(ex, request);
        }
    }
}
