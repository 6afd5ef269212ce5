using GraphAuthResilience.Graph;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GraphAuthResilience.DependencyInjection;

/// <summary>Checks the rules of <see cref="GraphAuthOptions"/> that a <c>[Range]</c> cannot say (scopes, hosts, the
/// token source in DI); the ranges are checked by the source-generated <see cref="GraphAuthOptionsRangeValidator"/>.
/// Every message names the setting.</summary>
internal sealed class GraphAuthOptionsValidator(IServiceProvider services) : IValidateOptions<GraphAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, GraphAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var prefix = $"GraphAuthOptions '{name}': ";

        if (options.Scopes.Count == 0)
        {
            failures.Add(prefix + $"{nameof(GraphAuthOptions.Scopes)} is empty; add at least one scope such as '{GraphAuthOptions.DefaultScope}'.");
        }
        else if (options.Scopes.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add(prefix + $"{nameof(GraphAuthOptions.Scopes)} contains an empty scope.");
        }
        else if (options.Scopes.Any(s => s.Any(char.IsWhiteSpace)))
        {
            failures.Add(prefix + $"{nameof(GraphAuthOptions.Scopes)} contains a scope with white space; give each scope as its own entry.");
        }

        if (options.AllowedHosts.Count == 0)
        {
            failures.Add(prefix + $"{nameof(GraphAuthOptions.AllowedHosts)} is empty; no request would ever get a token.");
        }

        foreach (var host in options.AllowedHosts)
        {
            // host or host:port; a Unicode name is normalised to punycode (GraphHostPolicy reads entries the same way).
            if (!GraphHostPolicy.TryParseEntry(host, out _, out _, out var error))
            {
                failures.Add(prefix + $"{nameof(GraphAuthOptions.AllowedHosts)} {error}.");
            }
        }

        if (options.TokenSource is null && services.GetService<IGraphTokenSource>() is null)
        {
            failures.Add(prefix + $"{nameof(GraphAuthOptions.TokenSource)} is not set and no {nameof(IGraphTokenSource)} is registered in DI; set it, for example to MsalTokenSource.ForClientCredentials(app).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
