using System.Net;

namespace GraphAuthResilience;

/// <summary>
/// Everything a <see cref="GraphAuthException"/> carries, set by name: pass it to
/// <see cref="GraphAuthException.Create(GraphAuthFailureDetails, Exception?)"/>. New members are added here as
/// init-only properties, so code that builds one keeps compiling.
/// </summary>
/// <remarks>No member may hold a token, a client secret, a user assertion or a token-endpoint body.</remarks>
public sealed class GraphAuthFailureDetails
{
    /// <summary>Gets why the request was refused.</summary>
    public required GraphAuthFailureCause Cause { get; init; }

    /// <summary>Gets a message that names the cause. Must not contain secrets.</summary>
    public required string Message { get; init; }

    /// <summary>Gets what to do about it; <see langword="null"/> takes the text for <see cref="Cause"/>.</summary>
    public string? Remediation { get; init; }

    /// <summary>Gets the HTTP status Graph answered with; <see langword="null"/> for token-acquisition failures.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>Gets Microsoft docs for the cause; <see langword="null"/> takes the links for <see cref="Cause"/>.</summary>
    public IReadOnlyList<Uri>? HelpLinks { get; init; }

    /// <summary>Gets <c>error.code</c> from Graph's JSON body.</summary>
    public string? GraphErrorCode { get; init; }

    /// <summary>Gets the Graph request id.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets the client request id.</summary>
    public string? ClientRequestId { get; init; }

    /// <summary>Gets the claims (JSON) to pass to an interactive sign-in.</summary>
    public string? Claims { get; init; }

    /// <summary>Gets the least-privileged permissions the call needs, when known.</summary>
    public IReadOnlyList<string>? RequiredPermissions { get; init; }

    /// <summary>Gets what the token that was sent said; never the token.</summary>
    public GraphTokenInfo? Token { get; init; }

    /// <summary>Gets the scopes an interactive sign-in should ask for.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>Gets the token endpoint's OAuth error (for example <c>invalid_client</c>).</summary>
    public string? TokenEndpointError { get; init; }

    /// <summary>Gets the Entra ID error number (for example <c>AADSTS7000215</c>).</summary>
    public string? AadstsCode { get; init; }

    /// <summary>Gets how sure the diagnosis is of <see cref="Cause"/>; <see cref="GraphAuthConfidence.High"/> when not set
    /// (the failure states a fact: the token endpoint's or a source's own answer).</summary>
    public GraphAuthConfidence Confidence { get; init; } = GraphAuthConfidence.High;

    /// <summary>Gets the causes the evidence leaves open, likeliest first.</summary>
    public IReadOnlyList<GraphAuthFailureCause>? AlternativeCauses { get; init; }

    /// <summary>Gets what decided the cause, in short sentences; no token text.</summary>
    public IReadOnlyList<string>? Evidence { get; init; }

    /// <summary>Gets how to grant what would fix it; empty or <see langword="null"/> when no permission would.</summary>
    public IReadOnlyList<GraphPermissionGrant>? Grants { get; init; }
}
