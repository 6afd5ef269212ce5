using System.Text.Json;

namespace GraphAuthResilience.Batching;

/// <summary>Reads one step of a batch document at its <see cref="JsonTokenType.StartObject"/> token.</summary>
/// <typeparam name="TStep">The step read.</typeparam>
/// <param name="reader">The reader, at the step's first token; left at its last.</param>
/// <param name="reason">Why the step was refused, when it was.</param>
/// <returns>The step, or <see langword="null"/> when it is refused.</returns>
internal delegate TStep? BatchStepReader<TStep>(ref Utf8JsonReader reader, out string reason)
    where TStep : class;
