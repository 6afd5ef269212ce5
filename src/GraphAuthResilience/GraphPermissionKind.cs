namespace GraphAuthResilience;

/// <summary>The two kinds of Microsoft Graph permission.</summary>
public enum GraphPermissionKind
{
    /// <summary>A delegated permission (a scope, <c>scp</c> claim): the app acts for a signed-in user.</summary>
    Delegated,

    /// <summary>An application permission (an app role, <c>roles</c> claim): the app acts as itself.</summary>
    Application,
}
