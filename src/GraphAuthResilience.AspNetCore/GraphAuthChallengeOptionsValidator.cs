using Microsoft.Extensions.Options;

namespace GraphAuthResilience.AspNetCore;

/// <summary>Fails <see cref="GraphAuthChallengeOptions"/> that cannot be written into a <c>WWW-Authenticate</c>
/// header, naming the setting (run at start through <c>ValidateOnStart</c>).</summary>
internal sealed class GraphAuthChallengeOptionsValidator : IValidateOptions<GraphAuthChallengeOptions>
{
    public ValidateOptionsResult Validate(string? name, GraphAuthChallengeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
