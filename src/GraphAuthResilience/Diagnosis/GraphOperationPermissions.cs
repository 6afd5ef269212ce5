using System.Text;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// The permissions one Graph operation (method + path template) accepts, per token kind, from the generated
/// catalog. In each list the least-privileged permission comes first, resource-specific consent permissions last.
/// </summary>
internal sealed class GraphOperationPermissions
{
    private readonly IReadOnlyList<GraphPermissionAllowance>[] _grants;

    public GraphOperationPermissions(
        string method,
        string pathTemplate,
        IReadOnlyList<GraphPermissionAllowance>[] grants,
        string? bodyProperty = null,
        bool passwordReset = false,
        bool protectedApi = false,
        string? note = null)
    {
        Method = method;
        PathTemplate = pathTemplate;
        _grants = grants;
        BodyProperty = bodyProperty;
        PasswordReset = passwordReset;
        ProtectedApi = protectedApi;
        Note = note;
    }

    /// <summary>Gets the HTTP method, upper case.</summary>
    public string Method { get; }

    /// <summary>Gets the path template without the version segment, for example <c>/users/{id}</c>.</summary>
    public string PathTemplate { get; }

    /// <summary>Gets the top-level JSON property the request body must have for this entry to apply.</summary>
    public string? BodyProperty { get; }

    /// <summary>Gets a value indicating whether the operation sets, changes or resets a password.</summary>
    public bool PasswordReset { get; }

    /// <summary>Gets a value indicating whether app-only use is a protected API that Microsoft must approve.</summary>
    public bool ProtectedApi { get; }

    /// <summary>Gets a remark from the reviewed overrides worth repeating in a remediation (roles, limits).</summary>
    public string? Note { get; }

    /// <summary>Gets the delegated (work or school) permissions, least privileged first.</summary>
    public IReadOnlyList<string> Delegated => Names(GraphPermissionScheme.DelegatedWork);

    /// <summary>Gets the application permissions, least privileged first.</summary>
    public IReadOnlyList<string> Application => Names(GraphPermissionScheme.Application);

    /// <summary>Gets the delegated permissions for personal Microsoft accounts, least privileged first.</summary>
    public IReadOnlyList<string> Personal => Names(GraphPermissionScheme.DelegatedPersonal);

    /// <summary>Gets a value indicating whether personal Microsoft accounts may call the operation.</summary>
    public bool PersonalAccounts => Grants(GraphPermissionScheme.DelegatedPersonal).Count > 0;

    public bool SupportsDelegated => Grants(GraphPermissionScheme.DelegatedWork).Count > 0 || PersonalAccounts;

    public bool SupportsApplication => Grants(GraphPermissionScheme.Application).Count > 0;

    /// <summary>Gets the operation as <c>METHOD /template</c>.</summary>
    public string Display => Method + " " + PathTemplate;

    /// <summary>Gets the least-privileged delegated permission, then the least-privileged application permission.</summary>
    public IReadOnlyList<string> LeastPrivileged => RequiredFor(null);

    public IReadOnlyList<GraphPermissionAllowance> Grants(GraphPermissionScheme scheme) => _grants[(int)scheme];

    /// <summary>The scheme a token's permissions are granted in.</summary>
    public static GraphPermissionScheme SchemeOf(GraphTokenInfo token) => token.IsAppOnly
        ? GraphPermissionScheme.Application
        : token.IsPersonalAccount ? GraphPermissionScheme.DelegatedPersonal : GraphPermissionScheme.DelegatedWork;

    /// <summary>The least-privileged permission of a scheme (the first listed), or null when the scheme has none.</summary>
    public GraphPermissionAllowance? LeastFor(GraphPermissionScheme scheme) => Grants(scheme) is { Count: > 0 } list ? list[0] : null;

    /// <summary>
    /// The least-privileged permission for the token's kind first, then the other kind's (delegated ↔ application);
    /// without a token, delegated (work or school) then application.
    /// </summary>
    public IReadOnlyList<string> RequiredFor(GraphTokenInfo? token)
    {
        var own = token is null ? GraphPermissionScheme.DelegatedWork : SchemeOf(token);
        var other = own == GraphPermissionScheme.Application ? GraphPermissionScheme.DelegatedWork : GraphPermissionScheme.Application;
        var list = new List<string>(3);
        Add(list, LeastFor(own));
        if (own == GraphPermissionScheme.DelegatedPersonal && list.Count == 0)
        {
            Add(list, LeastFor(GraphPermissionScheme.DelegatedWork));
        }

        Add(list, LeastFor(other));
        return list;

        static void Add(List<string> list, GraphPermissionAllowance? grant)
        {
            if (grant is not null && !list.Contains(grant.Name, StringComparer.OrdinalIgnoreCase))
            {
                list.Add(grant.Name);
            }
        }
    }

    /// <summary>Whether the operation accepts the token's kind at all.</summary>
    public bool SupportsTokenKind(GraphTokenInfo token) => token.IsAppOnly ? SupportsApplication : SupportsDelegated;

    /// <summary>
    /// A permission of the token (in <c>scp</c> or <c>roles</c>) that the operation accepts for the token's kind, with
    /// its AlsoRequires met: any listed permission counts, not only the least-privileged one.
    /// </summary>
    public string? AcceptedPermissionHeld(GraphTokenInfo token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var held = token.IsAppOnly ? token.Roles : token.Scopes;
        foreach (var scheme in SchemesOf(token))
        {
            foreach (var grant in Grants(scheme))
            {
                if (Holds(held, grant.Name) && (grant.AlsoRequires.Count == 0 || grant.AlsoRequires.Any(a => Holds(held, a))))
                {
                    return grant.Name;
                }
            }
        }

        return null;
    }

    /// <summary>A permission of the token that the operation lists but whose AlsoRequires is not met, if any.</summary>
    public GraphPermissionAllowance? HeldWithoutAlsoRequired(GraphTokenInfo token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var held = token.IsAppOnly ? token.Roles : token.Scopes;
        return SchemesOf(token).SelectMany(Grants).FirstOrDefault(g => g.AlsoRequires.Count > 0 && Holds(held, g.Name));
    }

    /// <summary>Says what the operation needs, with admin consent: <c>GET /users needs User.ReadBasic.All (delegated) or User.Read.All (application, admin consent)</c>.</summary>
    public string DescribeNeeds(GraphTokenInfo? token = null)
    {
        var text = new StringBuilder(Display).Append(" needs ");
        var own = token is null ? GraphPermissionScheme.DelegatedWork : SchemeOf(token);
        var order = own switch
        {
            GraphPermissionScheme.Application => new[] { GraphPermissionScheme.Application, GraphPermissionScheme.DelegatedWork },
            GraphPermissionScheme.DelegatedPersonal => [GraphPermissionScheme.DelegatedPersonal, GraphPermissionScheme.DelegatedWork, GraphPermissionScheme.Application],
            _ => [GraphPermissionScheme.DelegatedWork, GraphPermissionScheme.Application],
        };
        var parts = new List<string>(3);
        foreach (var scheme in order)
        {
            if (LeastFor(scheme) is { } grant)
            {
                parts.Add(Describe(grant, scheme));
            }
        }

        if (parts.Count == 0)
        {
            return text.Append("a permission the catalog does not record").ToString();
        }

        text.AppendJoin(" or ", parts);
        if (!SupportsApplication)
        {
            text.Append("; no application permission supports it");
        }
        else if (!SupportsDelegated)
        {
            text.Append("; no delegated permission supports it");
        }

        return text.ToString();
    }

    /// <summary><c>User.Read.All (application, admin consent)</c>, with the permission's AlsoRequires.</summary>
    public static string Describe(GraphPermissionAllowance grant, GraphPermissionScheme scheme)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var kind = scheme switch
        {
            GraphPermissionScheme.Application => "application",
            GraphPermissionScheme.DelegatedPersonal => "delegated, personal account",
            _ => "delegated",
        };
        var consent = grant.Permission.IsResourceSpecific
            ? ", resource-specific consent"
            : grant.Permission.RequiresAdminConsent(scheme) ? ", admin consent" : ", user consent";
        var also = grant.AlsoRequires.Count == 0 ? string.Empty : " plus one of " + string.Join(", ", grant.AlsoRequires);
        return $"{grant.Name} ({kind}{consent}){also}";
    }

    private static bool Holds(IReadOnlyList<string> held, string permission)
    {
        foreach (var item in held)
        {
            if (string.Equals(item, permission, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static GraphPermissionScheme[] SchemesOf(GraphTokenInfo token) => token.IsAppOnly
        ? [GraphPermissionScheme.Application]
        : token.IsPersonalAccount ? [GraphPermissionScheme.DelegatedPersonal] : [GraphPermissionScheme.DelegatedWork];

    private List<string> Names(GraphPermissionScheme scheme) => [.. Grants(scheme).Select(g => g.Name)];
}
