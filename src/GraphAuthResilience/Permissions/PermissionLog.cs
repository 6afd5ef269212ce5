using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Permissions;

/// <summary>Log messages of permission recording, ids 5000-5099. Names and counts only: never a token, an id from a
/// path, or a query value.</summary>
internal static partial class PermissionLog
{
    [LoggerMessage(5000, LogLevel.Warning, "Permission recording reached its bound of {MaxOperations} distinct operations; calls of further operations are counted but not recorded (logged once).", EventName = "PermissionRecordingBoundReached")]
    public static partial void OperationBoundReached(ILogger logger, int maxOperations);

    [LoggerMessage(5001, LogLevel.Warning, "Permission recording failed ({ExceptionType}); the request went on unaffected (logged once).", EventName = "PermissionRecordingFailed")]
    public static partial void RecordingFailed(ILogger logger, string exceptionType);
}
