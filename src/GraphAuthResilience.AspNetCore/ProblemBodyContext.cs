using System.Text.Json.Serialization;

namespace GraphAuthResilience.AspNetCore;

/// <summary>Source-generated JSON for <see cref="ProblemBody"/>.</summary>
[JsonSerializable(typeof(ProblemBody))]
internal sealed partial class ProblemBodyContext : JsonSerializerContext;
