using System.Net;

namespace GraphAuthResilience;

/// <summary>
/// What a token endpoint answered when it refused a token request, as a token source of your own saw it: the fields
/// of Entra ID's OAuth error answer (<c>error</c>, <c>suberror</c>, <c>error_description</c>, <c>correlation_id</c>,
/// <c>claims</c>) and its status. Pass it to
/// <see cref="GraphTokenSourceFailure.FromTokenEndpoint(GraphTokenEndpointError, GraphTokenRequest)"/> for the
/// diagnosis the built-in sources give. New members are added as init-only properties, so code that builds one keeps
/// compiling.
/// </summary>
/// <remarks>
/// Every member is optional: set what your source knows. <see cref="ErrorDescription"/> is only searched (for the
/// AADSTS number and the ids of an onboarding failure), never copied into the exception, and
/// <see cref="object.ToString"/> is not overridden: printing an instance prints its type name, nothing of the answer.
/// </remarks>
public sealed class GraphTokenEndpointError
{
    /// <summary>Gets the name of the token source that met the failure, for example a credential's type name
    /// (<c>ClientSecretCredential</c>): the exception's message and remediation start with it.</summary>
    /// <value>The name, or <see langword="null"/> (the default) for a message that names no source.</value>
    public string? SourceName { get; init; }

    /// <summary>Gets the HTTP status of the token endpoint's answer.</summary>
    /// <value>The status (400 for most refusals, 401 for <c>invalid_client</c>, 429 or 5xx when it was unavailable), or
    /// <see langword="null"/> (the default) when unknown.</value>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>Gets the OAuth error code (<c>error</c>), for example <c>invalid_client</c>, <c>invalid_grant</c>,
    /// <c>interaction_required</c> or <c>consent_required</c>.</summary>
    /// <value>The code, or <see langword="null"/> (the default) when unknown.</value>
    public string? Error { get; init; }

    /// <summary>Gets the answer's <c>suberror</c>, for example <c>consent_required</c>, <c>basic_action</c> or
    /// <c>bad_token</c>: with <see cref="Error"/> it says whether a person must sign in, as MSAL decides it.</summary>
    /// <value>The suberror, or <see langword="null"/> (the default).</value>
    public string? Suberror { get; init; }

    /// <summary>Gets the error text: the answer's <c>error_description</c> (<c>AADSTS7000215: Invalid client secret
    /// provided. ...</c>), or an exception message that quotes it.</summary>
    /// <value>The text, or <see langword="null"/> (the default). Only its first 4,096 characters are read, for the
    /// AADSTS number and, for an onboarding failure (AADSTS700016), the application and directory ids; nothing else of
    /// it reaches the exception.</value>
    public string? ErrorDescription { get; init; }

    /// <summary>Gets the answer's <c>correlation_id</c>: the id Microsoft support asks for, kept as
    /// <see cref="GraphAuthException.RequestId"/>.</summary>
    /// <value>The id, or <see langword="null"/> (the default).</value>
    public string? CorrelationId { get; init; }

    /// <summary>Gets the answer's <c>claims</c>: the claims (JSON) an interactive sign-in must meet, which conditional
    /// access sends with <c>interaction_required</c>.</summary>
    /// <value>The claims, or <see langword="null"/> (the default) to keep <see cref="GraphTokenRequest.Claims"/>.</value>
    public string? Claims { get; init; }
}
