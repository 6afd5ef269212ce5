using System.Text.Json;

namespace GraphAuthResilience.Batching;

/// <summary>
/// A batch request body read with <see cref="Utf8JsonReader"/> (no reflection serialisation): the steps in order,
/// each with its id, method, url and <c>dependsOn</c>. Refuses what Graph would refuse or what the chain cannot fix
/// safely: no <c>requests</c> array, a step without id, method or url, duplicate ids, a <c>dependsOn</c> naming an
/// unknown id, or a nested batch.
/// </summary>
internal sealed class BatchRequestDocument
{
    private BatchRequestDocument(List<BatchRequestStep> steps, Dictionary<string, BatchRequestStep> byId)
    {
        Steps = steps;
        ById = byId;
    }

    public IReadOnlyList<BatchRequestStep> Steps { get; }

    public IReadOnlyDictionary<string, BatchRequestStep> ById { get; }

    public static BatchRequestDocument? TryParse(ReadOnlySpan<byte> utf8, out string reason)
    {
        if (BatchStepArray.TryRead<BatchRequestStep>(utf8, "requests", "the request body", ReadStep, out reason) is not { } steps)
        {
            return null;
        }

        var byId = new Dictionary<string, BatchRequestStep>(steps.Count, StringComparer.Ordinal);
        foreach (var step in steps)
        {
            if (!byId.TryAdd(step.Id, step))
            {
                reason = "duplicate step ids";
                return null;
            }

            if (GraphBatchEndpoint.IsNestedBatch(step.Url))
            {
                reason = "a nested batch";
                return null;
            }
        }

        foreach (var step in steps)
        {
            foreach (var dependency in step.DependsOn)
            {
                if (!byId.ContainsKey(dependency) || string.Equals(dependency, step.Id, StringComparison.Ordinal))
                {
                    reason = "a dependsOn naming an unknown step";
                    return null;
                }
            }
        }

        reason = string.Empty;
        return new BatchRequestDocument(steps, byId);
    }

    private static BatchRequestStep? ReadStep(ref Utf8JsonReader reader, out string reason)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reason = "a step that is not an object";
            return null;
        }

        var start = (int)reader.TokenStartIndex;
        string? id = null, method = null, url = null;
        string[] dependsOn = [];
        var properties = new List<(string, int, int)>(6);
        var body = (-1, -1);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            var valueStart = (int)reader.TokenStartIndex;
            switch (name)
            {
                case "id" when id is null:
                    id = ReadScalar(ref reader);
                    break;
                case "method" when method is null:
                    method = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case "url" when url is null:
                    url = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case "dependsOn":
                    if (ReadIds(ref reader) is not { } ids)
                    {
                        reason = "a dependsOn that is not an array of ids";
                        return null;
                    }

                    dependsOn = ids;
                    break;
                case "id" or "method" or "url":
                    reason = "a step with a repeated property";
                    return null;
                default:
                    var isObject = reader.TokenType == JsonTokenType.StartObject;
                    reader.Skip();
                    if (name == "body" && isObject)
                    {
                        body = (valueStart, (int)reader.BytesConsumed);
                    }

                    break;
            }

            properties.Add((name, valueStart, (int)reader.BytesConsumed));
        }

        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(method) || string.IsNullOrEmpty(url))
        {
            reason = "a step without id, method or url";
            return null;
        }

        reason = string.Empty;
        return new BatchRequestStep
        {
            Id = id,
            Method = method,
            Url = url,
            DependsOn = dependsOn,
            Start = start,
            End = (int)reader.BytesConsumed,
            Properties = properties,
            JsonBody = body,
        };
    }

    /// <summary>An id as Graph accepts it: a string (or a number, kept as its text).</summary>
    internal static string? ReadScalar(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
        _ => null,
    };

    private static string[]? ReadIds(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }

        var ids = new List<string>(2);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (ReadScalar(ref reader) is not { } id)
            {
                return null;
            }

            ids.Add(id);
        }

        return [.. ids];
    }
}
