namespace GraphAuthResilience;

/// <summary>One Graph operation the app called, as <see cref="IGraphPermissionUsage"/> recorded it: the method and the
/// catalog's path template (never an id, never a query value), and how often, with one kind of token.</summary>
public sealed class GraphOperationUse
{
    internal GraphOperationUse(string method, string pathTemplate, GraphPermissionKind kind, IReadOnlyList<string> leastPermissions, long count, long denied)
    {
        Method = method;
        PathTemplate = pathTemplate;
        Kind = kind;
        LeastPermissions = leastPermissions;
        Count = count;
        Denied = denied;
    }

    /// <summary>Gets the HTTP method, upper case (<c>GET</c>).</summary>
    public string Method { get; }

    /// <summary>Gets the path template of the operation in Microsoft's permission map, without the version:
    /// <c>/users/{id}</c>.</summary>
    public string PathTemplate { get; }

    /// <summary>Gets the kind of token the calls were made with: <see cref="GraphPermissionKind.Application"/> for
    /// app-only tokens (<c>roles</c>), <see cref="GraphPermissionKind.Delegated"/> for a signed-in user's (<c>scp</c>).</summary>
    public GraphPermissionKind Kind { get; }

    /// <summary>Gets the permissions Microsoft's map marks least privileged for this operation and kind of token (any one
    /// of them is enough; one the map pairs with others, its AlsoRequires, needs one of those as well, which
    /// <see cref="GraphPermissionReport.Needed"/> accounts for). Empty when the operation does not accept this kind of
    /// token.</summary>
    public IReadOnlyList<string> LeastPermissions { get; }

    /// <summary>Gets how many calls of it were sent to Graph (a replay counts again; a batched step counts once per
    /// step).</summary>
    public long Count { get; }

    /// <summary>Gets how many of those calls Graph answered 401 or 403 (for a batched step, the step's own status in the
    /// batch's answer; a step refused, re-sent by the chain and refused again counts twice).</summary>
    public long Denied { get; }

    /// <summary>Returns <c>GET /users/{id} (application) x3</c>.</summary>
    /// <returns>The operation, its kind of token and its count.</returns>
    public override string ToString() =>
        $"{Method} {PathTemplate} ({(Kind == GraphPermissionKind.Application ? "application" : "delegated")}) x{Count}";
}
