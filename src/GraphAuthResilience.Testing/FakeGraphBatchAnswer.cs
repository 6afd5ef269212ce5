using System.Text;
using System.Text.Json;

namespace GraphAuthResilience.Testing;

/// <summary>What one step of a JSON batch answers at <see cref="FakeGraph"/>: a status, a JSON body, an optional
/// <c>WWW-Authenticate</c> header.</summary>
public sealed class FakeGraphBatchAnswer
{
    /// <summary>Initializes a new instance of the <see cref="FakeGraphBatchAnswer"/> class.</summary>
    /// <param name="status">The step's HTTP status.</param>
    /// <param name="json">The step's JSON body, or <see langword="null"/> for none.</param>
    /// <param name="wwwAuthenticate">The step's <c>WWW-Authenticate</c> header value, or <see langword="null"/>.</param>
    /// <param name="contentType">The step's <c>Content-Type</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="status"/> is not an HTTP status (100 to 599).</exception>
    /// <exception cref="ArgumentException"><paramref name="contentType"/> is null or empty.</exception>
    public FakeGraphBatchAnswer(int status, string? json, string? wwwAuthenticate = null, string contentType = "application/json")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
        ArgumentException.ThrowIfNullOrEmpty(contentType);
        Status = status;
        Json = json;
        WwwAuthenticate = wwwAuthenticate;
        ContentType = contentType;
    }

    /// <summary>Gets the step's HTTP status.</summary>
    public int Status { get; }

    /// <summary>Gets the step's JSON body, or <see langword="null"/>.</summary>
    public string? Json { get; }

    /// <summary>Gets the step's <c>WWW-Authenticate</c> header value, or <see langword="null"/>.</summary>
    public string? WwwAuthenticate { get; }

    /// <summary>Gets the step's <c>Content-Type</c>.</summary>
    public string ContentType { get; }

    /// <summary>Creates a 200 answer.</summary>
    /// <param name="json">The body.</param>
    /// <returns>The answer.</returns>
    public static FakeGraphBatchAnswer Ok(string json = """{"id":"ok"}""") => new(200, json);

    /// <summary>Creates a Graph error answer: <c>{"error":{"code","message","innerError":{request-id, date}}}</c>.</summary>
    /// <param name="status">The status, for example 403.</param>
    /// <param name="code">Graph's <c>error.code</c>.</param>
    /// <param name="message">Graph's <c>error.message</c>.</param>
    /// <param name="wwwAuthenticate">A <c>WWW-Authenticate</c> value, or <see langword="null"/>.</param>
    /// <returns>The answer.</returns>
    /// <exception cref="ArgumentException"><paramref name="code"/> or <paramref name="message"/> is null or empty.</exception>
    public static FakeGraphBatchAnswer Error(int status, string code, string message, string? wwwAuthenticate = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        ArgumentException.ThrowIfNullOrEmpty(message);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteStartObject("innerError");
            writer.WriteString("request-id", "7a1c0000-0000-4000-8000-0000000000b1");
            writer.WriteString("date", "2026-11-30T16:00:00");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return new(status, Encoding.UTF8.GetString(buffer.ToArray()), wwwAuthenticate);
    }

    /// <summary>Creates the answer Graph gives a step for <paramref name="scenario"/> (its status, error body and challenge).</summary>
    /// <param name="scenario">A scenario Graph answers.</param>
    /// <returns>The answer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scenario"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The scenario fails at the token source, not at Graph.</exception>
    public static FakeGraphBatchAnswer For(GraphAuthFailureScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.FailsAtTokenSource || scenario.GraphErrorCode is null || scenario.GraphErrorMessage is null)
        {
            throw new ArgumentException($"{scenario.Cause} comes from the token source, not from Graph.", nameof(scenario));
        }

        return Error((int)scenario.StatusCode, scenario.GraphErrorCode, scenario.GraphErrorMessage, scenario.WwwAuthenticate);
    }
}
