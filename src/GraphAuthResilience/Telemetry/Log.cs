using GraphAuthResilience.Graph;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Telemetry;

/// <summary>
/// Every log message of the library, source generated with stable ids: 1000-1099 token handler and cache,
/// 1100-1199 MSAL token sources, 2000-2099 challenge handler, 3000-3099 failure handler, 4000-4099 batch handler.
/// No message ever takes a token, a secret, an assertion, a claims value or a token-endpoint body.
/// </summary>
internal static partial class Log
{
    // Token handler and cache.
    [LoggerMessage(1000, LogLevel.Debug, "Token cache hit for scopes '{Scopes}'.", EventName = "TokenCacheHit")]
    public static partial void TokenCacheHit(ILogger logger, string scopes);

    [LoggerMessage(1001, LogLevel.Debug, "Acquiring a token for scopes '{Scopes}' (claims: {HasClaims}, force refresh: {ForceRefresh}).", EventName = "TokenAcquisitionStarted")]
    public static partial void TokenAcquisitionStarted(ILogger logger, string scopes, bool hasClaims, bool forceRefresh);

    [LoggerMessage(1002, LogLevel.Debug, "Acquired a token for scopes '{Scopes}', expiring {ExpiresOn:O}, refresh due {RefreshAt:O}.", EventName = "TokenAcquired")]
    public static partial void TokenAcquired(ILogger logger, string scopes, DateTimeOffset expiresOn, DateTimeOffset refreshAt);

    [LoggerMessage(1003, LogLevel.Warning, "Token acquisition for scopes '{Scopes}' failed: {Cause}.", EventName = "TokenAcquisitionFailed")]
    public static partial void TokenAcquisitionFailed(ILogger logger, string scopes, GraphAuthFailureCause cause);

    [LoggerMessage(1004, LogLevel.Debug, "Waiting for the token acquisition already in flight for scopes '{Scopes}'.", EventName = "TokenAcquisitionJoined")]
    public static partial void TokenAcquisitionJoined(ILogger logger, string scopes);

    [LoggerMessage(1005, LogLevel.Debug, "Refreshing the token for scopes '{Scopes}' ahead of expiry in the background.", EventName = "TokenRefreshAhead")]
    public static partial void TokenRefreshAhead(ILogger logger, string scopes);

    [LoggerMessage(1006, LogLevel.Debug, "No token attached to {Method} {Scheme}://{Host}: host not allowed or not https.", EventName = "TokenNotAttached")]
    public static partial void TokenNotAttached(ILogger logger, string method, string scheme, string host);

    [LoggerMessage(1007, LogLevel.Debug, "Caller set the Authorization header on {Method} {Host}; left as is.", EventName = "CallerAuthorizationKept")]
    public static partial void CallerAuthorizationKept(ILogger logger, string method, string host);

    [LoggerMessage(1008, LogLevel.Warning, "Removed the token this chain attached for host '{PreviousHost}' from a request now bound for '{Host}'.", EventName = "TokenStripped")]
    public static partial void TokenStripped(ILogger logger, string previousHost, string host);

    [LoggerMessage(1014, LogLevel.Warning, "Removed a copy of a token this chain attached (the Authorization header copied as text by a handler outside the chain) from {Method} to '{Host}', a host not allowed for that token.", EventName = "CopiedTokenStripped")]
    public static partial void CopiedTokenStripped(ILogger logger, string method, string host);

    [LoggerMessage(1015, LogLevel.Debug, "A copy of a token this chain attached reached {Method} {Host}: handled as the chain's own.", EventName = "CopiedTokenAdopted")]
    public static partial void CopiedTokenAdopted(ILogger logger, string method, string host);

    [LoggerMessage(1009, LogLevel.Debug, "Evicted {Count} cached token entries (limit {Limit}).", EventName = "TokenCacheEvicted")]
    public static partial void TokenCacheEvicted(ILogger logger, int count, int limit);

    [LoggerMessage(1010, LogLevel.Warning, "Background token refresh for scopes '{Scopes}' failed: {Cause} (AADSTS {AadstsCode}, error {ErrorCode}, exception {ExceptionType}); the current token is served until it expires.", EventName = "TokenRefreshAheadFailed")]
    private static partial void TokenRefreshAheadFailedCore(ILogger logger, string scopes, GraphAuthFailureCause cause, string aadstsCode, string errorCode, string exceptionType);

    /// <summary>Logs event 1010; the token endpoint's codes are escaped and bounded.</summary>
    public static void TokenRefreshAheadFailed(ILogger logger, string scopes, GraphAuthFailureCause cause, string aadstsCode, string errorCode, string exceptionType) =>
        TokenRefreshAheadFailedCore(logger, scopes, cause, SafeText.Value(aadstsCode), SafeText.Value(errorCode), exceptionType);

    [LoggerMessage(1011, LogLevel.Warning, "Token acquisition for scopes '{Scopes}' gave no answer within {Timeout}; abandoned so that the next request starts a new one.", EventName = "TokenAcquisitionTimedOut")]
    public static partial void TokenAcquisitionTimedOut(ILogger logger, string scopes, TimeSpan timeout);

    [LoggerMessage(1012, LogLevel.Debug, "Token acquisition for scopes '{Scopes}' abandoned: every request waiting for it gave up.", EventName = "TokenAcquisitionAbandoned")]
    public static partial void TokenAcquisitionAbandoned(ILogger logger, string scopes);

    [LoggerMessage(1013, LogLevel.Information, "Dropped {Count} cached token(s) that another instance saw Graph reject.", EventName = "TokenRejectedElsewhere")]
    public static partial void TokenRejectedElsewhere(ILogger logger, int count);

    // MSAL token sources.
    [LoggerMessage(1100, LogLevel.Information, "Token endpoint attempt {Attempt} failed transiently ({ErrorCode}, status {StatusCode}); retrying in {Delay}.", EventName = "TokenEndpointRetry")]
    private static partial void TokenEndpointRetryCore(ILogger logger, int attempt, string errorCode, int statusCode, TimeSpan delay);

    /// <summary>Logs event 1100; the token endpoint's error code is escaped and bounded.</summary>
    public static void TokenEndpointRetry(ILogger logger, int attempt, string errorCode, int statusCode, TimeSpan delay) =>
        TokenEndpointRetryCore(logger, attempt, SafeText.Value(errorCode), statusCode, delay);

    [LoggerMessage(1101, LogLevel.Warning, "MSAL token acquisition failed: {Cause} ({ErrorCode} {AadstsCode}).", EventName = "MsalAcquisitionFailed")]
    private static partial void MsalAcquisitionFailedCore(ILogger logger, GraphAuthFailureCause cause, string errorCode, string aadstsCode);

    /// <summary>Logs event 1101; the token endpoint's codes are escaped and bounded.</summary>
    public static void MsalAcquisitionFailed(ILogger logger, GraphAuthFailureCause cause, string errorCode, string aadstsCode) =>
        MsalAcquisitionFailedCore(logger, cause, SafeText.Value(errorCode), SafeText.Value(aadstsCode));

    // Challenge handler.
    [LoggerMessage(2000, LogLevel.Information, "{Method} {Path} answered {StatusCode} with a claims challenge; re-acquiring with the claims and replaying once.", EventName = "ClaimsChallengeReceived")]
    public static partial void ClaimsChallengeReceived(ILogger logger, string method, string path, int statusCode);

    [LoggerMessage(2001, LogLevel.Information, "{Method} {Path} answered 401 ({Reason}); refreshing the token and replaying once.", EventName = "RefreshableUnauthorized")]
    public static partial void RefreshableUnauthorized(ILogger logger, string method, string path, string reason);

    [LoggerMessage(2002, LogLevel.Warning, "{Method} {Path} was challenged but its body cannot be replayed (stream of unknown length or above {MaxBytes} bytes).", EventName = "BodyNotReplayable")]
    public static partial void BodyNotReplayable(ILogger logger, string method, string path, long maxBytes);

    [LoggerMessage(2003, LogLevel.Debug, "{Method} {Path} not replayed: {Reason}.", EventName = "ReplaySkipped")]
    public static partial void ReplaySkipped(ILogger logger, string method, string path, string reason);

    [LoggerMessage(2004, LogLevel.Debug, "Buffered a {Length}-byte request body before the first send so it can be replayed.", EventName = "BodyBuffered")]
    public static partial void BodyBuffered(ILogger logger, long length);

    // Failure handler.
    [LoggerMessage(3000, LogLevel.Warning, "{Method} {Path} failed with {StatusCode}: {Cause} (Graph code {GraphErrorCode}, request-id {RequestId}).", EventName = "AuthFailureClassified")]
    private static partial void AuthFailureClassifiedCore(ILogger logger, string method, string path, int statusCode, GraphAuthFailureCause cause, string graphErrorCode, string requestId);

    /// <summary>Logs event 3000; Graph's code and request id are escaped and bounded (<see cref="SafeText"/>).</summary>
    public static void AuthFailureClassified(ILogger logger, string method, string path, int statusCode, GraphAuthFailureCause cause, string graphErrorCode, string requestId) =>
        AuthFailureClassifiedCore(logger, method, path, statusCode, cause, SafeText.Value(graphErrorCode), SafeText.Value(requestId));

    // Batch handler.
    [LoggerMessage(4000, LogLevel.Debug, "Batch {Path}: answer not inspected ({Reason}); handed back as Graph sent it.", EventName = "BatchNotInspected")]
    public static partial void BatchNotInspected(ILogger logger, string path, string reason);

    [LoggerMessage(4001, LogLevel.Information, "Batch {Path}: steps {StepIds} failed with what a token fixes ({Reason}); re-sending {Count} steps (with their 424 dependents) once.", EventName = "BatchStepsResent")]
    public static partial void BatchStepsResent(ILogger logger, string path, string stepIds, string reason, int count);

    [LoggerMessage(4002, LogLevel.Debug, "Batch {Path}: steps {StepIds} not re-sent: {Reason}.", EventName = "BatchResendSkipped")]
    public static partial void BatchResendSkipped(ILogger logger, string path, string stepIds, string reason);

    [LoggerMessage(4003, LogLevel.Warning, "Batch {Path}: the re-send did not give usable answers ({Reason}); the first answers are kept.", EventName = "BatchResendFailed")]
    public static partial void BatchResendFailed(ILogger logger, string path, string reason);

    [LoggerMessage(4004, LogLevel.Warning, "Batch {Path}: {Count} of {Total} steps failed auth: {Failures}.", EventName = "BatchStepsFailed")]
    public static partial void BatchStepsFailed(ILogger logger, string path, int count, int total, string failures);
}
