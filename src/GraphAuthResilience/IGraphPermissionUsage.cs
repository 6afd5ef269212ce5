namespace GraphAuthResilience;

/// <summary>
/// What the app's Graph calls really needed, recorded by every chain whose <see cref="GraphAuthOptions.RecordPermissionUse"/>
/// is on. Registered in DI as a singleton by <c>AddGraphAuthHandlers</c>; one instance records for every client of the
/// container.
/// </summary>
public interface IGraphPermissionUsage
{
    /// <summary>Builds a report of what has been recorded so far: the operations called, the least-privileged
    /// permissions that cover them, what the tokens held, and the difference both ways.</summary>
    /// <returns>A snapshot; later calls are not reflected in it. Empty when nothing was recorded.</returns>
    GraphPermissionReport GetReport();
}
