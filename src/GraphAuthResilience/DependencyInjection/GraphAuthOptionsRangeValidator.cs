using Microsoft.Extensions.Options;

namespace GraphAuthResilience.DependencyInjection;

/// <summary>Checks the <c>[Range]</c> attributes of <see cref="GraphAuthOptions"/>; the code is generated at build
/// time (no reflection), each rule written once, on the property it is about.</summary>
[OptionsValidator]
internal sealed partial class GraphAuthOptionsRangeValidator : IValidateOptions<GraphAuthOptions>;
