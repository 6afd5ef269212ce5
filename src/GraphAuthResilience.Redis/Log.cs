using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Redis;

/// <summary>
/// Every log message of the Redis package, source generated with stable ids 5000-5099. No message ever takes a
/// token, a token hash, a key, the Redis configuration (it may hold a password) or an exception message.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(5000, LogLevel.Warning, "Redis is unavailable ({Reason}); Graph tokens are acquired in-process until it returns.", EventName = "RedisUnavailable")]
    public static partial void RedisUnavailable(ILogger logger, string reason);

    [LoggerMessage(5001, LogLevel.Information, "Redis is available again after {Duration}; Graph tokens are shared again.", EventName = "RedisAvailable")]
    public static partial void RedisAvailable(ILogger logger, TimeSpan duration);

    [LoggerMessage(5002, LogLevel.Debug, "This instance holds the lease for a token acquisition of client '{Client}'.", EventName = "LeaseTaken")]
    public static partial void LeaseTaken(ILogger logger, string client);

    [LoggerMessage(5003, LogLevel.Debug, "Another instance acquired the token of client '{Client}'; reading the shared cache.", EventName = "LeaseShared")]
    public static partial void LeaseShared(ILogger logger, string client);

    [LoggerMessage(5004, LogLevel.Information, "No shared result for client '{Client}' ({Reason}); acquiring a token in this instance.", EventName = "LeaseFallback")]
    public static partial void LeaseFallback(ILogger logger, string client, string reason);

    [LoggerMessage(5005, LogLevel.Warning, "A shared token cache entry could not be decrypted; do all instances share Data Protection keys and application name? It is treated as absent.", EventName = "SharedCacheUnreadable")]
    public static partial void SharedCacheUnreadable(ILogger logger);

    [LoggerMessage(5006, LogLevel.Debug, "Another instance reported a rejected token.", EventName = "RejectionReceived")]
    public static partial void RejectionReceived(ILogger logger);

    [LoggerMessage(5007, LogLevel.Warning, "A subscriber to rejected-token news threw {ExceptionType}; ignored.", EventName = "RejectionCallbackFailed")]
    public static partial void RejectionCallbackFailed(ILogger logger, string exceptionType);

    [LoggerMessage(5008, LogLevel.Debug, "Another instance holds the lease for a token acquisition of client '{Client}'; waiting for its result.", EventName = "LeaseWaiting")]
    public static partial void LeaseWaiting(ILogger logger, string client);

    [LoggerMessage(5009, LogLevel.Warning, "The subscription to rejected-token news is not in place {Grace} after Redis connected or the last attempt; subscribing again, once per {Grace} at most and looking every {Interval}, until it is.", EventName = "RejectionSubscriptionLost")]
    public static partial void RejectionSubscriptionLost(ILogger logger, TimeSpan grace, TimeSpan interval);

    [LoggerMessage(5010, LogLevel.Information, "The subscription to rejected-token news is in place again.", EventName = "RejectionSubscriptionRestored")]
    public static partial void RejectionSubscriptionRestored(ILogger logger);

    [LoggerMessage(5011, LogLevel.Warning, "A value of the wrong kind or size was found at the fleet's Redis key for {What}; it was not read, and is replaced. Something other than this package writes to the fleet's keys.", EventName = "FleetBadData")]
    public static partial void FleetBadData(ILogger logger, string what);
}
