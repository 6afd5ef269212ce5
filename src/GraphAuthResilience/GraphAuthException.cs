using System.Net;
using GraphAuthResilience.Graph;

namespace GraphAuthResilience;

/// <summary>
/// Microsoft Graph, or the token endpoint, refused a request for an authentication or authorization reason that
/// the chain could not fix by itself. Says why (<see cref="Cause"/>), what to do (<see cref="Remediation"/>) and
/// carries the ids Graph support asks for.
/// </summary>
/// <remarks>
/// The message, the properties and <see cref="Exception.ToString"/> never contain a token, a client secret, a user
/// assertion or the body of a token-endpoint response. Values that came in an answer (the message and remediation,
/// Graph's error code, the ids, the token endpoint's codes, the evidence) have control characters escaped and are bounded in
/// length, so printing or logging them cannot forge a log line or drive a terminal; only <see cref="Claims"/> is kept
/// exactly as received (MSAL needs the JSON as it is): escape it before printing it. Token-acquisition failures therefore carry the MSAL error
/// code and AADSTS number instead of the MSAL exception itself.
/// It derives from <see cref="Exception"/>, not <see cref="HttpRequestException"/>: resilience handlers
/// (Microsoft.Extensions.Http.Resilience) treat the latter as transient and would retry a refusal that no retry fixes.
/// </remarks>
public class GraphAuthException : Exception
{
    private readonly GraphAuthFailureDetails _details;

    /// <summary>Initializes a new instance of the <see cref="GraphAuthException"/> class from its details.</summary>
    /// <param name="details">What the exception carries.</param>
    /// <param name="innerException">The exception that caused this one. Must not carry secrets in its text.</param>
    private protected GraphAuthException(GraphAuthFailureDetails details, Exception? innerException)
        : base(SafeText.Message(details.Message), innerException)
    {
        _details = details;
        Remediation = SafeText.Message(details.Remediation ?? GraphAuthRemediation.For(details.Cause));
        HelpLinks = details.HelpLinks ?? GraphAuthRemediation.LinksFor(details.Cause);
        HelpLink = HelpLinks.Count > 0 ? HelpLinks[0].ToString() : null;
    }

    /// <summary>Initializes a new instance of the <see cref="GraphAuthException"/> class with everything
    /// <paramref name="failure"/> carries (for the subtypes chosen by <see cref="Create(GraphAuthException)"/>).</summary>
    /// <param name="failure">The diagnosis to copy.</param>
    private protected GraphAuthException(GraphAuthException failure)
        : base(failure.Message, failure.InnerException)
    {
        _details = failure._details;
        Remediation = failure.Remediation;
        HelpLinks = failure.HelpLinks;
        HelpLink = failure.HelpLink;
    }

    /// <summary>
    /// Creates the exception for <paramref name="details"/> as the subtype that says what the caller must do:
    /// <see cref="GraphAuthTokenException"/> (get another token), <see cref="GraphAuthPermissionException"/> (fix
    /// permissions, token kind, roles, licenses or policies) or <see cref="GraphAuthSignInRequiredException"/> (a person
    /// must sign in); <see cref="GraphAuthFailureCause.Unknown"/> gets this base type. Use it in a custom
    /// <see cref="IGraphTokenSource"/> so that <c>catch (GraphAuthSignInRequiredException)</c> works as with MSAL.
    /// </summary>
    /// <param name="details">What the exception carries (at least <see cref="GraphAuthFailureDetails.Cause"/> and
    /// <see cref="GraphAuthFailureDetails.Message"/>).</param>
    /// <param name="innerException">The exception that caused this one. Must not carry secrets in its text.</param>
    /// <returns>The exception, of the subtype for the cause.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="details"/> is <see langword="null"/>.</exception>
    public static GraphAuthException Create(GraphAuthFailureDetails details, Exception? innerException = null)
    {
        ArgumentNullException.ThrowIfNull(details);
        return Create(new GraphAuthException(details, innerException));
    }

    /// <summary>
    /// Gets <paramref name="failure"/> as the subtype for its <see cref="Cause"/> (see
    /// <see cref="Create(GraphAuthFailureDetails, Exception?)"/>): itself when it already is one, else a copy carrying
    /// everything it carries. The chain uses it on what a custom token source throws, so a source that throws the base
    /// type is caught by the same <c>catch</c> clauses.
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
                or GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin or GraphAuthFailureCause.UserNotPrivilegedOrLicensed
                or GraphAuthFailureCause.PolicyRestricted or GraphAuthFailureCause.TenantNotOnboarded => new GraphAuthPermissionException(failure),
            GraphAuthFailureCause.ConsentRequired or GraphAuthFailureCause.InteractionRequired
                or GraphAuthFailureCause.UnsatisfiedClaimsChallenge or GraphAuthFailureCause.PersonalAccountNotSupported => new GraphAuthSignInRequiredException(failure),
            _ => failure,
        };
    }

    /// <summary>Gets the HTTP status Graph answered with; <see langword="null"/> for token-acquisition failures.</summary>
    public HttpStatusCode? StatusCode => _details.StatusCode;

    /// <summary>Gets why the request was refused.</summary>
    public GraphAuthFailureCause Cause => _details.Cause;

    /// <summary>Gets what to do about it, in plain words.</summary>
    public string Remediation { get; }

    /// <summary>Gets the Microsoft docs for this cause.</summary>
    public IReadOnlyList<Uri> HelpLinks { get; }

    /// <summary>Gets <c>error.code</c> from Graph's JSON error body.</summary>
    public string? GraphErrorCode => SafeText.Value(_details.GraphErrorCode);

    /// <summary>Gets the request id (<c>innerError.request-id</c> or the <c>request-id</c> header).</summary>
    public string? RequestId => SafeText.Value(_details.RequestId);

    /// <summary>Gets the client request id (<c>innerError.client-request-id</c> or the header).</summary>
    public string? ClientRequestId => SafeText.Value(_details.ClientRequestId);

    /// <summary>Gets the claims (JSON) to pass to an interactive sign-in, when a challenge carried them, exactly as
    /// received: escape it before writing it to a log or a terminal.</summary>
    public string? Claims => _details.Claims;

    /// <summary>Gets the least-privileged permissions the call needs, when the permission catalog knows it.</summary>
    public IReadOnlyList<string> RequiredPermissions => _details.RequiredPermissions ?? [];

    /// <summary>Gets what the token that was sent said (audience, tenant, permissions, expiry); never the token.</summary>
    public GraphTokenInfo? Token => _details.Token;

    /// <summary>Gets the scopes an interactive sign-in should ask for (token-acquisition failures).</summary>
    public IReadOnlyList<string> Scopes => _details.Scopes ?? [];

    /// <summary>Gets the token endpoint's OAuth error code (for example <c>invalid_client</c>), when the failure came from there.</summary>
    public string? TokenEndpointError => SafeText.Value(_details.TokenEndpointError);

    /// <summary>Gets the Entra ID error number (for example <c>AADSTS7000215</c>), when the token endpoint sent one.</summary>
    public string? AadstsCode => SafeText.Value(_details.AadstsCode);

    /// <summary>Gets how sure the diagnosis is of <see cref="Cause"/>.</summary>
    public GraphAuthConfidence Confidence => _details.Confidence;

    /// <summary>Gets the causes the evidence leaves open, likeliest first; empty when the evidence decides.</summary>
    public IReadOnlyList<GraphAuthFailureCause> AlternativeCauses => _details.AlternativeCauses ?? [];

    /// <summary>Gets what decided the cause, in short sentences; never token text.</summary>
    public IReadOnlyList<string> Evidence => SafeEvidence(_details.Evidence);

    /// <summary>Gets how to grant what would fix the failure, one per permission the remediation asks for,
    /// least-privileged first; empty when no permission change would fix it.</summary>
    public IReadOnlyList<GraphPermissionGrant> Grants => _details.Grants ?? [];

    /// <summary>Gets a value indicating whether a person must sign in interactively (with <see cref="Claims"/> and <see cref="Scopes"/>) to go on.</summary>
    public bool RequiresUserInteraction => Cause is GraphAuthFailureCause.ConsentRequired
        or GraphAuthFailureCause.InteractionRequired or GraphAuthFailureCause.UnsatisfiedClaimsChallenge;

    /// <summary>Gets a value indicating whether the fix is in the app registration's permissions or the user's roles and licenses.</summary>
    public bool RequiresPermissionChange => Cause is GraphAuthFailureCause.InsufficientPermissions
        or GraphAuthFailureCause.TokenTypeMismatch or GraphAuthFailureCause.PasswordResetRequiresDelegatedAdmin
        or GraphAuthFailureCause.UserNotPrivilegedOrLicensed or GraphAuthFailureCause.ConsentRequired
        or GraphAuthFailureCause.TenantNotOnboarded;

    private static IReadOnlyList<string> SafeEvidence(IReadOnlyList<string>? evidence)
    {
        if (evidence is null)
        {
            return [];
        }

        foreach (var sentence in evidence)
        {
            if (sentence.Length > SafeText.MaxMessageLength || !SafeText.IsSafe(sentence))
            {
                return [.. evidence.Select(e => SafeText.Message(e))];
            }
        }

        return evidence;
    }
}
