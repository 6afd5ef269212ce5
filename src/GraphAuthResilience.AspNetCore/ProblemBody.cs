using System.Text.Json.Serialization;

namespace GraphAuthResilience.AspNetCore;

/// <summary>The RFC 9457 problem document of a claims challenge: no token, no claims, no user ids.</summary>
internal sealed record ProblemBody(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("cause")] string Cause);
