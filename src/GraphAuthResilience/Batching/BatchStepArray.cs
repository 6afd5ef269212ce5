using System.Text.Json;

namespace GraphAuthResilience.Batching;

/// <summary>
/// The part a batch request and a batch response are read alike: a JSON object with one named array of step objects
/// (<c>requests</c> or <c>responses</c>), read with <see cref="Utf8JsonReader"/> to the end (a truncated body is
/// refused), other members skipped.
/// </summary>
internal static class BatchStepArray
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>Reads the steps of the array named <paramref name="propertyName"/>, in order.</summary>
    /// <param name="utf8">The whole document.</param>
    /// <param name="propertyName">The array's name: <c>requests</c> or <c>responses</c>.</param>
    /// <param name="subject">What the document is called in a reason: "the request body", "the answer".</param>
    /// <param name="readStep">Reads one step, or refuses it with a reason.</param>
    /// <param name="reason">Why the document was refused, when it was: not valid JSON (truncated too), not an object,
    /// the array missing or not one array, or a step refused by <paramref name="readStep"/>.</param>
    /// <returns>The steps, or <see langword="null"/> when the document is refused.</returns>
    public static List<TStep>? TryRead<TStep>(ReadOnlySpan<byte> utf8, string propertyName, string subject, BatchStepReader<TStep> readStep, out string reason)
        where TStep : class
    {
        try
        {
            return Read(utf8, propertyName, subject, readStep, out reason);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            reason = subject + " is not valid JSON";
            return null;
        }
    }

    private static List<TStep>? Read<TStep>(ReadOnlySpan<byte> utf8, string propertyName, string subject, BatchStepReader<TStep> readStep, out string reason)
        where TStep : class
    {
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            reason = subject + " is not a JSON object";
            return null;
        }

        List<TStep>? steps = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isArray = reader.ValueTextEquals(propertyName);
            reader.Read();
            if (!isArray)
            {
                reader.Skip();
                continue;
            }

            if (steps is not null || reader.TokenType != JsonTokenType.StartArray)
            {
                reason = $"'{propertyName}' is not one array";
                return null;
            }

            steps = [];
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (readStep(ref reader, out reason) is not { } step)
                {
                    return null;
                }

                steps.Add(step);
            }
        }

        // Read to the end: a truncated body throws here.
        while (reader.Read())
        {
        }

        if (steps is null)
        {
            reason = $"no '{propertyName}' array";
            return null;
        }

        reason = string.Empty;
        return steps;
    }
}
