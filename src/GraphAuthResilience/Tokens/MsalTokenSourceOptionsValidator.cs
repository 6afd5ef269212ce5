using Microsoft.Extensions.Options;

namespace GraphAuthResilience.Tokens;

/// <summary>Checks the <c>[Range]</c> and <c>[Required]</c> attributes of <see cref="MsalTokenSourceOptions"/>; the code is
/// generated at build time (no reflection), each rule written once, on the property it is about.</summary>
[OptionsValidator]
internal sealed partial class MsalTokenSourceOptionsValidator : IValidateOptions<MsalTokenSourceOptions>
{
    /// <summary>Throws <see cref="OptionsValidationException"/> naming every invalid setting of <paramref name="options"/>.</summary>
    /// <param name="options">The options.</param>
    public static void ThrowIfInvalid(MsalTokenSourceOptions options)
    {
        var result = new MsalTokenSourceOptionsValidator().Validate(nameof(MsalTokenSourceOptions), options);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(MsalTokenSourceOptions), typeof(MsalTokenSourceOptions), result.Failures);
        }
    }
}
