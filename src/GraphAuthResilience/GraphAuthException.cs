using System.Net;

namespace GraphAuthResilience;

/// <summary>
/// Microsoft Graph, or the token endpoint, refused a request for an authentication or authorization reason that
/// the chain could not fix by itself. Says why (<see cref="Cause"/>), what to do (<see cref="Remediation"/>) and
/// carries the ids Graph support asks for.
/// </summary>
/// <remarks>
/// The message, the properties and <see cref="Exception.ToString"/> never contain a token, a client secret, a user
/// assertion or the body of a token-endpoint response. Token-acquisition failures therefore carry the MSAL error
/// code and AADSTS number instead of the MSAL exception itself.
/// </remarks>
public class GraphAuthException : HttpRequestException
{
    /// <summary>Initializes a new instance of the <see cref="GraphAuthException"/> class.</summary>
    /// <param name="cause">Why the request was refused.</param>
    /// <param name="message">A message that names the cause. Must not contain secrets.</param>
    /// <param name="remediation">What to do about it, in plain words. Defaults to the text for <paramref name="cause"/>.</param>
    /// <param name="statusCode">The HTTP status Graph or the token endpoint answered with.</param>
    /// <param name="helpLinks">Microsoft docs for this cause. Defaults to the links for <paramref name="cause"/>.</param>
    /// <param name="graphErrorCode"><c>error.code</c> from Graph's JSON body.</param>
    /// <param name="requestId">The Graph request id.</param>
    /// <param name="clientRequestId">The client request id.</param>
    /// <param name="claims">Claims (JSON) to pass to an interactive sign-in.</param>
    /// <param name="requiredPermissions">The least-privileged permissions the call needs, when known.</param>
    /// <param name="token">What the token that was sent said; never the token.</param>
    /// <param name="scopes">The scopes an interactive sign-in should ask for.</param>
    /// <param name="tokenEndpointError">The token endpoint's OAuth error (for example <c>invalid_client</c>).</param>
    /// <param name="aadstsCode">The Entra ID error number (for example <c>AADSTS7000215</c>).</param>
    /// <param name="innerException">The exception that caused this one. Must not carry secrets in its text.</param>
    public GraphAuthException(
        GraphAuthFailureCause cause,
        string message,
        string? remediation = null,
        HttpStatusCode? statusCode = null,
        IReadOnlyList<Uri>? helpLinks = null,
        string? graphErrorCode = null,
        string? requestId = null,
        string? clientRequestId = null,
        string? claims = null,
        IReadOnlyList<string>? requiredPermissions = null,
        GraphTokenInfo? token = null,
        IReadOnlyList<string>? scopes = null,
        string? tokenEndpointError = null,
        string? aadstsCode = null,
        Exception? innerException = null)
        : base(message, innerException, statusCode)
    {
        Cause = cause;
        Remediation = remediation ?? GraphAuthRemediation.For(cause);
        HelpLinks = helpLinks ?? GraphAuthRemediation.LinksFor(cause);
        GraphErrorCode = graphErrorCode;
        RequestId = requestId;
        ClientRequestId = clientRequestId;
        Claims = claims;
        RequiredPermissions = requiredPermissions ?? [];
        Token = token;
        Scopes = scopes ?? [];
        TokenEndpointError = tokenEndpointError;
        AadstsCode = aadstsCode;
        HelpLink = HelpLinks.Count > 0 ? HelpLinks[0].ToString() : null;
    }

    /// <summary>
    /// Creates the exception for <paramref name="cause"/> as the subtype that says what the caller must do:
    /// <see cref="GraphAuthTokenException"/> (get another token), <see cref="GraphAuthPermissionException"/> (fix
    /// permissions, token kind, roles or licenses) or <see cref="GraphAuthSignInRequiredException"/> (a person must
    /// sign in); <see cref="GraphAuthFailureCause.Unknown"/> gets this base type. Use it in a custom
    /// <see cref="IGraphTokenSource"/> so that <c>catch (GraphAuthSignInRequiredException)</c> works as with MSAL.
    /// </summary>
    /// <param name="cause">Why the request was refused.</param>
    /// <param name="message">A message that names the cause. Must not contain secrets.</param>
    /// <param name="remediation">What to do about it, in plain words. Defaults to the text for <paramref name="cause"/>.</param>
    /// <param name="statusCode">The HTTP status Graph or the token endpoint answered with.</param>
    /// <param name="helpLinks">Microsoft docs for this cause. Defaults to the links for <paramref name="cause"/>.</param>
    /// <param name="graphErrorCode"><c>error.code</c> from Graph's JSON body.</param>
    /// <param name="requestId">The Graph request id.</param>
    /// <param name="clientRequestId">The client request id.</param>
    /// <param name="claims">Claims (JSON) to pass to an interactive sign-in.</param>
    /// <param name="requiredPermissions">The least-privileged permissions the call needs, when known.</param>
    /// <param name="token">What the token that was sent said; never the token.</param>
    /// <param name="scopes">The scopes an interactive sign-in should ask for.</param>
    /// <param name="tokenEndpointError">The token endpoint's OAuth error (for example <c>invalid_client</c>).</param>
    /// <param name="aadstsCode">The Entra ID error number (for example <c>AADSTS7000215</c>).</param>
    /// <param name="innerException">The exception that caused this one. Must not carry secrets in its text.</param>
    /// <returns>The exception, of the subtype for <paramref name="cause"/>.</returns>
    public static GraphAuthException Create(
        GraphAuthFailureCause cause,
        string message,
        string? remediation = null,
        HttpStatusCode? statusCode = null,
        IReadOnlyList<Uri>? helpLinks = null,
        string? graphErrorCode = null,
        string? requestId = null,
        string? clientRequestId = null,
        string? claims = null,
        IReadOnlyList<string>? requiredPermissions = null,
        GraphTokenInfo? token = null,
        IReadOnlyList<string>? scopes = null,
        string? tokenEndpointError = null,
        string? aadstsCode = null,
        Exception? innerException = null)
    {
        var failure = new GraphAuthException(
            cause, message, remediation, statusCode, helpLinks, graphErrorCode, requestId, clientRequestId, claims,
            requiredPermissions, token, scopes, tokenEndpointError, aadstsCode, innerException);
        return Create(failure);
    }

    /// <summary>
    /// Gets <paramref name="failure"/> as the subtype for its <see cref="Cause"/> (see
    /// <see cref="Create(GraphAuthFailureCause, string, string?, HttpStatusCode?, IReadOnlyList{Uri}?, string?, string?, string?, string?, IReadOnlyList{string}?, GraphTokenInfo?, IReadOnlyList{string}?, string?, string?, Exception?)"/>):
    /// itself when it already is one, else a copy carrying everything it carries. The chain uses it on what a custom
    /// token source throws, so a source that throws the base type is caught by the same <c>catch</c> clauses.
    /// </summary>
    /// <param name="failure">The exception.</param>
    /// <returns>The exception of the right subtype.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="failure"/> is <see langword="null"/>.</exception>
    public static GraphAuthException Create(GraphAuthException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.GetType() != typeof(GraphAuthException) ? failure : failure.Cause switch
        {
            GraphAuthFailureCause.MissingToken or GraphAuthFailureCause.InvalidToken or GraphAuthFailureCause.ExpiredToken
                or GraphAuthFailureCause.WrongAudience or GraphAuthFailureCause.TokenAcquisitionFailed => new GraphAuthTokenException(failure),
            GraphAuthFailureCause.InsufficientPermissions or GraphAuthFailureCause.TokenTypeMismatch
                or GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin or GraphAuthFailureCause.UserNotPrivilegedOrLicensed => new GraphAuthPermissionException(failure),
            GraphAuthFailureCause.ConsentRequired or GraphAuthFailureCause.InteractionRequired
                or GraphAuthFailureCause.UnsatisfiedClaimsChallenge or GraphAuthFailureCause.PersonalAccountNotSupported => new GraphAuthSignInRequiredException(failure),
            _ => failure,
        };
    }

    /// <summary>Initializes a new instance of the <see cref="GraphAuthException"/> class with everything
    /// <paramref name="failure"/> carries (for the subtypes chosen by <see cref="Create(GraphAuthException)"/>).</summary>
    /// <param name="failure">The diagnosis to copy.</param>
    private protected GraphAuthException(GraphAuthException failure)
        : base(failure.Message, failure.InnerException, failure.StatusCode)
    {
        Cause = failure.Cause;
        Remediation = failure.Remediation;
        HelpLinks = failure.HelpLinks;
        GraphErrorCode = failure.GraphErrorCode;
        RequestId = failure.RequestId;
        ClientRequestId = failure.ClientRequestId;
        Claims = failure.Claims;
        RequiredPermissions = failure.RequiredPermissions;
        Token = failure.Token;
        Scopes = failure.Scopes;
        TokenEndpointError = failure.TokenEndpointError;
        AadstsCode = failure.AadstsCode;
        HelpLink = failure.HelpLink;
    }

    /// <summary>Gets why the request was refused.</summary>
    public GraphAuthFailureCause Cause { get; }

    /// <summary>Gets what to do about it, in plain words.</summary>
    public string Remediation { get; }

    /// <summary>Gets the Microsoft docs for this cause.</summary>
    public IReadOnlyList<Uri> HelpLinks { get; }

    /// <summary>Gets <c>error.code</c> from Graph's JSON error body.</summary>
    public string? GraphErrorCode { get; }

    /// <summary>Gets the request id (<c>innerError.request-id</c> or the <c>request-id</c> header).</summary>
    public string? RequestId { get; }

    /// <summary>Gets the client request id (<c>innerError.client-request-id</c> or the header).</summary>
    public string? ClientRequestId { get; }

    /// <summary>Gets the claims (JSON) to pass to an interactive sign-in, when a challenge carried them.</summary>
    public string? Claims { get; }

    /// <summary>Gets the least-privileged permissions the call needs, when the permission catalog knows it.</summary>
    public IReadOnlyList<string> RequiredPermissions { get; }

    /// <summary>Gets what the token that was sent said (audience, tenant, permissions, expiry); never the token.</summary>
    public GraphTokenInfo? Token { get; }

    /// <summary>Gets the scopes an interactive sign-in should ask for (token-acquisition failures).</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>Gets the token endpoint's OAuth error code (for example <c>invalid_client</c>), when the failure came from there.</summary>
    public string? TokenEndpointError { get; }

    /// <summary>Gets the Entra ID error number (for example <c>AADSTS7000215</c>), when the token endpoint sent one.</summary>
    public string? AadstsCode { get; }

    /// <summary>Gets a value indicating whether a person must sign in interactively (with <see cref="Claims"/> and <see cref="Scopes"/>) to go on.</summary>
    public bool RequiresUserInteraction => Cause is GraphAuthFailureCause.ConsentRequired
        or GraphAuthFailureCause.InteractionRequired or GraphAuthFailureCause.UnsatisfiedClaimsChallenge;

    /// <summary>Gets a value indicating whether the fix is in the app registration's permissions or the user's roles and licenses.</summary>
    public bool RequiresPermissionChange => Cause is GraphAuthFailureCause.InsufficientPermissions
        or GraphAuthFailureCause.TokenTypeMismatch or GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin
        or GraphAuthFailureCause.UserNotPrivilegedOrLicensed or GraphAuthFailureCause.ConsentRequired;
}
