using GraphAuthResilience.Graph;

namespace GraphAuthResilience.Diagnosis;

/// <summary>What Graph's own words (<c>error.message</c>, and JSON nested in it) say. Every member is a fact about the
/// text, not a conclusion: the decision step weighs it.</summary>
internal sealed class GraphWordsFinding
{
    /// <summary>Gets a finding of a body with no words.</summary>
    public static GraphWordsFinding None { get; } = new();

    /// <summary>Gets the permissions the words name as wanted (known names and display texts), in message order.</summary>
    public IReadOnlyList<string> Needed { get; init; } = [];

    /// <summary>Gets the permissions the words say the caller has ("Scopes on the request ..."), never taken as wanted.</summary>
    public IReadOnlyList<string> Held { get; init; } = [];

    /// <summary>Gets the display text through which a wanted permission was named, when it was named that way.</summary>
    public string? NeededByDisplayText { get; init; }

    /// <summary>Gets what the words say about the kind of token the API accepts.</summary>
    public GraphTokenKindRefusal TokenKind { get; init; }

    /// <summary>Gets a value indicating whether the words refuse personal Microsoft accounts.</summary>
    public bool PersonalAccountRefused { get; init; }

    /// <summary>Gets a value indicating whether the words speak of a protected API that Microsoft must approve.</summary>
    public bool ProtectedApi { get; init; }

    /// <summary>Gets what the words say about a missing license (user or tenant), or <see langword="null"/>.</summary>
    public string? License { get; init; }

    /// <summary>Gets what the words say about the signed-in user's directory role or access, or <see langword="null"/>.</summary>
    public string? Role { get; init; }

    /// <summary>Gets the family of policy the words name.</summary>
    public GraphPolicyKind Policy { get; init; }

    /// <summary>Gets the words that named the policy, shortened.</summary>
    public string? PolicyWords { get; init; }

    /// <summary>Gets a value indicating whether the words say the token has expired.</summary>
    public bool Expired { get; init; }

    /// <summary>Gets a value indicating whether the words say the token could not be parsed or verified.</summary>
    public bool Malformed { get; init; }

    /// <summary>Gets a value indicating whether the words say the Authorization header carried no token.</summary>
    public bool Empty { get; init; }

    /// <summary>Gets a value indicating whether the words say the token carries no permission.</summary>
    public bool NoPermissions { get; init; }

    /// <summary>Gets a value indicating whether the words say the token's audience is wrong.</summary>
    public bool InvalidAudience { get; init; }

    /// <summary>Gets a value indicating whether the words speak of a claims challenge (continuous access evaluation).</summary>
    public bool ClaimsChallenge { get; init; }

    /// <summary>Gets a value indicating whether the words say the token lacks a user principal name (an app-only token
    /// on an operation that needs a signed-in user, as password methods do).</summary>
    public bool UserMissingInToken { get; init; }

    /// <summary>Gets a value indicating whether the words say only that authentication with the resource failed.</summary>
    public bool AuthenticationFailed { get; init; }
}
