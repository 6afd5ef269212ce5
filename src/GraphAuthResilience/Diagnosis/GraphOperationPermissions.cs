using System.Globalization;
using System.Text;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// The permissions one Graph operation accepts, from the embedded catalog. In each list the first entry is the
/// least-privileged permission; an empty list means the operation supports no permission of that kind.
/// </summary>
internal sealed class GraphOperationPermissions
{
    public GraphOperationPermissions(
        string method,
        string pathTemplate,
        IReadOnlyList<string> delegated,
        IReadOnlyList<string> application,
        bool? personalAccounts = null,
        string? bodyProperty = null,
        bool passwordReset = false,
        string? note = null)
    {
        Method = method;
        PathTemplate = pathTemplate;
        Delegated = delegated;
        Application = application;
        PersonalAccounts = personalAccounts;
        BodyProperty = bodyProperty;
        PasswordReset = passwordReset;
        Note = note;
        Segments = GraphPathTemplate.Split(pathTemplate);
    }

    /// <summary>Gets the HTTP method, upper case.</summary>
    public string Method { get; }

    /// <summary>Gets the path template without the version segment, for example <c>/users/{id}</c>.</summary>
    public string PathTemplate { get; }

    /// <summary>Gets the delegated permissions the operation accepts, least privileged first.</summary>
    public IReadOnlyList<string> Delegated { get; }

    /// <summary>Gets the application permissions the operation accepts, least privileged first.</summary>
    public IReadOnlyList<string> Application { get; }

    /// <summary>Gets whether personal Microsoft accounts may call the operation; <see langword="null"/> when not recorded.</summary>
    public bool? PersonalAccounts { get; }

    /// <summary>Gets the top-level JSON property the request body must have for this entry to apply.</summary>
    public string? BodyProperty { get; }

    /// <summary>Gets a value indicating whether the operation sets or resets a password.</summary>
    public bool PasswordReset { get; }

    /// <summary>Gets a remark worth repeating in a remediation (roles, licenses, limits).</summary>
    public string? Note { get; }

    internal IReadOnlyList<string> Segments { get; }

    public bool SupportsDelegated => Delegated.Count > 0;

    public bool SupportsApplication => Application.Count > 0;

    /// <summary>Gets the least-privileged delegated permission, then the least-privileged application permission.</summary>
    public IReadOnlyList<string> LeastPrivileged
    {
        get
        {
            var list = new List<string>(2);
            if (SupportsDelegated)
            {
                list.Add(Delegated[0]);
            }

            if (SupportsApplication && !list.Contains(Application[0], StringComparer.OrdinalIgnoreCase))
            {
                list.Add(Application[0]);
            }

            return list;
        }
    }

    /// <summary>Gets the operation as <c>METHOD /template</c>.</summary>
    public string Display => Method + " " + PathTemplate;

    /// <summary>Whether the token is of a kind the operation supports at all (delegated or app-only).</summary>
    public bool SupportsTokenKind(GraphTokenInfo token) => token.IsAppOnly ? SupportsApplication : SupportsDelegated;

    /// <summary>The permission of the token that the operation accepts, if any.</summary>
    public string? AcceptedPermissionHeld(GraphTokenInfo token)
    {
        var held = token.IsAppOnly ? token.Roles : token.Scopes;
        var accepted = token.IsAppOnly ? Application : Delegated;
        foreach (var permission in accepted)
        {
            if (held.Contains(permission, StringComparer.OrdinalIgnoreCase))
            {
                return permission;
            }
        }

        return null;
    }

    /// <summary>Says what the operation needs: <c>GET /users needs User.ReadBasic.All (delegated) or User.Read.All (application)</c>.</summary>
    public string DescribeNeeds()
    {
        var text = new StringBuilder(Display).Append(" needs ");
        if (SupportsDelegated && SupportsApplication)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Delegated[0]} (delegated) or {Application[0]} (application)");
        }
        else if (SupportsDelegated)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Delegated[0]} (delegated; no application permission supports it)");
        }
        else if (SupportsApplication)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Application[0]} (application; no delegated permission supports it)");
        }
        else
        {
            text.Append("a permission the catalog does not record");
        }

        return text.ToString();
    }
}
