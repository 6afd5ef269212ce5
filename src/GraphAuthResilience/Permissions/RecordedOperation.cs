using GraphAuthResilience.Diagnosis;

namespace GraphAuthResilience.Permissions;

/// <summary>One distinct operation (method + catalog template) and its counters, one per kind of token
/// (<see cref="GraphPermissionScheme"/>): how many calls, how many of them Graph refused (401/403). Counted with
/// <see cref="Interlocked"/>, so a repeated call costs one atomic increment and no allocation.</summary>
internal sealed class RecordedOperation
{
    private readonly long[] _calls = new long[3];
    private readonly long[] _denied = new long[3];

    public RecordedOperation(GraphOperationPermissions operation, string displayTemplate)
    {
        Operation = operation;
        DisplayTemplate = displayTemplate;
        Template = GraphPathTemplate.TokenizeTemplate(operation.PathTemplate);
    }

    public GraphOperationPermissions Operation { get; }

    /// <summary>Gets the template's tokens (for <see cref="OperationPathIndex.TryAdd"/>).</summary>
    public IReadOnlyList<string> Template { get; }

    /// <summary>Gets the template shown in the report (<c>/me/…</c> kept where the catalog matched <c>/users/{id}/…</c>).</summary>
    public string DisplayTemplate { get; }

    /// <summary>Counts one call.</summary>
    public void Count(GraphPermissionScheme scheme) => Interlocked.Increment(ref _calls[(int)scheme]);

    /// <summary>Counts one refusal (401, 403) of a call counted before.</summary>
    public void Deny(GraphPermissionScheme scheme) => Interlocked.Increment(ref _denied[(int)scheme]);

    public long Calls(GraphPermissionScheme scheme) => Volatile.Read(ref _calls[(int)scheme]);

    public long Denied(GraphPermissionScheme scheme) => Volatile.Read(ref _denied[(int)scheme]);
}
