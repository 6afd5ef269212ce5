using System.Buffers;
using System.Text.Json;

using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Batching;

/// <summary>
/// Which steps of a batch a new token fixes, and the re-send batch holding only them: the steps that failed with a
/// claims challenge (401/403 with <c>insufficient_claims</c> in the step's headers) or a 401 a refresh fixes, plus the
/// steps that failed 424 only because they depend on one of those, in the order of the original request. Steps that
/// succeeded or failed for any other reason are never in it: a step that ran must not run twice.
/// </summary>
internal sealed class BatchResendPlan
{
    private BatchResendPlan(List<BatchRequestStep> steps, HashSet<string> ids, IReadOnlyList<string> fixable, string? claims)
    {
        Steps = steps;
        Ids = ids;
        FixableIds = fixable;
        Claims = claims;
    }

    /// <summary>Gets the steps to send again, in the order of the original request.</summary>
    public IReadOnlyList<BatchRequestStep> Steps { get; }

    /// <summary>Gets the ids of <see cref="Steps"/>.</summary>
    public IReadOnlySet<string> Ids { get; }

    /// <summary>Gets the ids of the steps that failed themselves with what a token fixes (no 424 dependents).</summary>
    public IReadOnlyList<string> FixableIds { get; }

    /// <summary>Gets how many answers and dependencies planning examined (tests: the work is linear).</summary>
    internal long Examined { get; private init; }

    /// <summary>Gets the claims (JSON) to acquire the token with, or <see langword="null"/> for a forced refresh.</summary>
    public string? Claims { get; }

    /// <summary>Plans the re-send, or returns <see langword="null"/> when no step failed with what a token fixes.</summary>
    /// <param name="request">The steps as sent.</param>
    /// <param name="response">The answers (every id known to <paramref name="request"/>).</param>
    /// <param name="claimsOf">The claims (JSON) of a claims challenge in a step's WWW-Authenticate header, or null.</param>
    public static BatchResendPlan? Create(BatchRequestDocument request, BatchResponseDocument response, Func<string?, string?> claimsOf)
    {
        HashSet<string>? ids = null;
        List<string>? fixable = null;
        string? claims = null;
        foreach (var answer in response.Steps)
        {
            if (answer.Status is not (401 or 403))
            {
                continue;
            }

            var stepClaims = answer.WwwAuthenticate is null ? null : claimsOf(answer.WwwAuthenticate);
            if (stepClaims is null && answer.Status != 401)
            {
                continue; // A 403 without claims: permissions, which no token from the same source fixes.
            }

            claims ??= stepClaims; // One acquisition for the batch: the first challenge's claims.
            (ids ??= new HashSet<string>(StringComparer.Ordinal)).Add(answer.Id);
            (fixable ??= []).Add(answer.Id);
        }

        if (ids is null)
        {
            return null;
        }

        // Steps that failed 424 because a step in the set failed: they never ran, so they go again too, unless another
        // of their dependencies failed for a reason no token fixes (they would only fail 424 again). A 424 step goes
        // when every dependency that did not succeed is in the set: each keeps a count of those not yet in it, and the
        // ids join the set through a queue, so every answer and every dependency is looked at a bounded number of
        // times whatever order the answers come in (a chain answered in reverse order is not a sweep per link).
        long examined = 0;
        Dictionary<string, List<int>>? dependents = null;
        var missing = new int[response.Steps.Count];
        for (var i = 0; i < response.Steps.Count; i++)
        {
            examined++;
            var answer = response.Steps[i];
            if (answer.Status != 424 || ids.Contains(answer.Id) || !request.ById.TryGetValue(answer.Id, out var step))
            {
                continue;
            }

            foreach (var dependency in step.DependsOn)
            {
                examined++;
                if (Succeeded(response, dependency))
                {
                    continue;
                }

                missing[i]++;
                dependents ??= new Dictionary<string, List<int>>(StringComparer.Ordinal);
                if (!dependents.TryGetValue(dependency, out var list))
                {
                    dependents[dependency] = list = [];
                }

                list.Add(i);
            }
        }

        if (dependents is not null)
        {
            var queue = new Queue<string>(ids);
            while (queue.TryDequeue(out var id))
            {
                if (!dependents.Remove(id, out var waiting))
                {
                    continue;
                }

                foreach (var index in waiting)
                {
                    examined++;
                    var dependent = response.Steps[index].Id;
                    if (--missing[index] == 0 && ids.Add(dependent))
                    {
                        queue.Enqueue(dependent);
                    }
                }
            }
        }

        var steps = request.Steps.Where(s => ids.Contains(s.Id)).ToList();
        return new BatchResendPlan(steps, ids, fixable!, claims) { Examined = examined };
    }

    private static bool Succeeded(BatchResponseDocument response, string id) =>
        response.ById.TryGetValue(id, out var answer) && answer.Status is >= 200 and < 300;

    /// <summary>Writes the re-send batch: each step's JSON as it was sent, byte for byte, except a <c>dependsOn</c>
    /// naming steps that are not sent again (they already succeeded), which keeps only the ids sent again.</summary>
    public byte[] BuildBody(ReadOnlySpan<byte> original)
    {
        var buffer = new ArrayBufferWriter<byte>(original.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("requests");
            foreach (var step in Steps)
            {
                if (Array.TrueForAll(step.DependsOn, Ids.Contains))
                {
                    writer.WriteRawValue(original[step.Start..step.End], skipInputValidation: true);
                    continue;
                }

                writer.WriteStartObject();
                foreach (var (name, start, end) in step.Properties)
                {
                    if (name != "dependsOn")
                    {
                        writer.WritePropertyName(name);
                        writer.WriteRawValue(original[start..end], skipInputValidation: true);
                        continue;
                    }

                    var kept = step.DependsOn.Where(Ids.Contains).ToArray();
                    if (kept.Length > 0)
                    {
                        writer.WriteStartArray(name);
                        foreach (var id in kept)
                        {
                            writer.WriteStringValue(id);
                        }

                        writer.WriteEndArray();
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Puts the answers of the re-send in place of the first answers with the same ids, where those stood; every
    /// other byte of the first answer (the other answers, <c>@odata.nextLink</c>, spacing) is kept as it was.
    /// </summary>
    public static byte[] Merge(ReadOnlySpan<byte> first, BatchResponseDocument firstDocument, ReadOnlySpan<byte> second, BatchResponseDocument secondDocument)
    {
        var buffer = new ArrayBufferWriter<byte>(first.Length + second.Length);
        var position = 0;
        foreach (var answer in firstDocument.Steps.OrderBy(s => s.Start))
        {
            if (!secondDocument.ById.TryGetValue(answer.Id, out var replacement))
            {
                continue;
            }

            buffer.Write(first[position..answer.Start]);
            buffer.Write(second[replacement.Start..replacement.End]);
            position = answer.End;
        }

        buffer.Write(first[position..]);
        return buffer.WrittenSpan.ToArray();
    }
}
