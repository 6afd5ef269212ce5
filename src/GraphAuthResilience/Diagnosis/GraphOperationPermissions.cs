using System.Text;

namespace GraphAuthResilience.Diagnosis;

/// <summary>The three kinds of token a Graph permission may be granted for (the map's schemes).</summary>
internal enum GraphPermissionScheme
{
    /// <summary>A signed-in work or school user (<c>scp</c>).</summary>
    DelegatedWork = 0,

    /// <summary>A signed-in personal Microsoft account (<c>scp</c>, tenant 9188040d-…).</summary>
    DelegatedPersonal = 1,

    /// <summary>An application without a user (<c>roles</c>).</summary>
    Application = 2,
}

/// <summary>One permission of Microsoft's map: whether it is resource-specific consent and, per scheme, whether it
/// exists, needs admin consent, its privilege level (1 lowest … 5 highest, 0 unknown) and display texts; and its ids
/// on Microsoft Graph in the global cloud (from Microsoft's provisioning file).</summary>
internal sealed class GraphPermissionInfo
{
    private readonly int _schemes; // One byte per scheme (GraphPermissionCatalogFormat.SchemePresent, SchemeAdmin, level).
    private readonly string?[]? _texts;
    private readonly GraphPermissionCatalog? _catalog;
    private readonly int _row;
    private readonly int _usGovernment;

    public GraphPermissionInfo(string name, bool resourceSpecific, string?[] schemes)
        : this(name, resourceSpecific, schemes, null, null, null)
    {
    }

    /// <param name="name">The permission's name.</param>
    /// <param name="resourceSpecific">Whether it is a resource-specific consent permission.</param>
    /// <param name="schemes">Per scheme (see <see cref="GraphPermissionScheme"/>): null when absent, else <c>a</c> or
    /// <c>u</c> (admin or user consent) followed by the privilege level.</param>
    /// <param name="scopeId">The OAuth2 permission scope id (delegated), global cloud.</param>
    /// <param name="appRoleId">The app role id (application), global cloud.</param>
    /// <param name="texts">Admin then user display text per scheme (six items), or null.</param>
    /// <param name="usGovernment">Whether Microsoft's provisioning file says the scope id (bit 0) or the app role id
    /// (bit 1) applies in the US Government cloud as well.</param>
    public GraphPermissionInfo(string name, bool resourceSpecific, string?[] schemes, Guid? scopeId, Guid? appRoleId, string?[]? texts, int usGovernment = 0)
    {
        ArgumentNullException.ThrowIfNull(schemes);
        Name = name;
        IsResourceSpecific = resourceSpecific;
        for (var s = 0; s < 3 && s < schemes.Length; s++)
        {
            if (schemes[s] is { Length: > 0 } text)
            {
                var level = text.Length > 1 && char.IsAsciiDigit(text[1]) ? text[1] - '0' : 0;
                _schemes |= (GraphPermissionCatalogFormat.SchemePresent | (text[0] == 'a' ? GraphPermissionCatalogFormat.SchemeAdmin : 0) | level) << (8 * s);
            }
        }

        ScopeId = scopeId;
        AppRoleId = appRoleId;
        _texts = texts ?? new string?[6];
        _usGovernment = usGovernment;
    }

    /// <summary>A permission read from the catalog's compact form; display texts are decoded when first asked for.</summary>
    internal GraphPermissionInfo(string name, bool resourceSpecific, int schemes, Guid? scopeId, Guid? appRoleId, int usGovernment, GraphPermissionCatalog catalog, int row)
    {
        Name = name;
        IsResourceSpecific = resourceSpecific;
        _schemes = schemes;
        ScopeId = scopeId;
        AppRoleId = appRoleId;
        _usGovernment = usGovernment;
        _catalog = catalog;
        _row = row;
    }

    public string Name { get; }

    /// <summary>Gets a value indicating whether this is a resource-specific consent (RSC) permission, granted per
    /// team or chat and never seen in a token.</summary>
    public bool IsResourceSpecific { get; }

    /// <summary>Gets the OAuth2 permission scope id of the delegated permission on Microsoft Graph in the global
    /// cloud, or null when Microsoft's provisioning file has none for it there.</summary>
    public Guid? ScopeId { get; }

    /// <summary>Gets the app role id of the application permission on Microsoft Graph in the global cloud, or null
    /// when Microsoft's provisioning file has none for it there.</summary>
    public Guid? AppRoleId { get; }

    /// <summary>Whether the map lists the permission for this scheme (<c>DelegatedWork</c>, <c>DelegatedPersonal</c>,
    /// <c>Application</c>).</summary>
    public bool Exists(GraphPermissionScheme scheme) => (SchemeByte(scheme) & GraphPermissionCatalogFormat.SchemePresent) != 0;

    /// <summary>Whether an administrator must consent (the map's <c>requiresAdminConsent</c>); true when unknown.</summary>
    public bool RequiresAdminConsent(GraphPermissionScheme scheme) =>
        !Exists(scheme) || (SchemeByte(scheme) & GraphPermissionCatalogFormat.SchemeAdmin) != 0;

    /// <summary>The map's <c>privilegeLevel</c> for the scheme: 1 lowest … 5 highest, 0 when absent or unknown.</summary>
    public int PrivilegeLevel(GraphPermissionScheme scheme) => SchemeByte(scheme) & GraphPermissionCatalogFormat.SchemeLevel;

    /// <summary>The map's <c>adminDisplayName</c> for the scheme (for example "Read all users' full profiles"), or null.</summary>
    public string? AdminDisplayName(GraphPermissionScheme scheme) => Text(2 * (int)scheme);

    /// <summary>The map's <c>userDisplayName</c> for the scheme (none for <c>Application</c>), or null.</summary>
    public string? UserDisplayName(GraphPermissionScheme scheme) => Text((2 * (int)scheme) + 1);

    /// <summary>The id a grant of this scheme needs on Microsoft Graph in the global cloud: the scope id for the
    /// delegated schemes, the app role id for <c>Application</c>; null when unknown.</summary>
    public Guid? Id(GraphPermissionScheme scheme) => scheme == GraphPermissionScheme.Application ? AppRoleId : ScopeId;

    /// <summary>The id of <see cref="Id(GraphPermissionScheme)"/> where the reference says it applies in a cloud
    /// (a name of <see cref="GraphAuthResilience.Graph.GraphClouds.CloudOf(string)"/>; null is the global cloud):
    /// in the global cloud always; in the US Government clouds only where Microsoft's provisioning file names that
    /// cloud (<c>FairFax</c>) for the id; elsewhere (China) never: the id is then unknown, not guessed.</summary>
    public Guid? Id(GraphPermissionScheme scheme, string? cloud)
    {
        var bit = scheme == GraphPermissionScheme.Application ? 2 : 1;
        return cloud switch
        {
            null or "global" => Id(scheme),
            "usgov" or "dod" => (_usGovernment & bit) != 0 ? Id(scheme) : null,
            _ => null,
        };
    }

    private int SchemeByte(GraphPermissionScheme scheme) => (_schemes >> (8 * (int)scheme)) & 0xFF;

    private string? Text(int slot) => _catalog is { } catalog ? catalog.Text(_row, slot) : _texts![slot];
}

/// <summary>A permission that allows an operation for one scheme.</summary>
/// <param name="Permission">The permission.</param>
/// <param name="Least">Whether the map marks it least-privileged for this operation and scheme.</param>
/// <param name="AlsoRequires">When not empty, one of these is needed as well.</param>
internal sealed record GraphPermissionAllowance(GraphPermissionInfo Permission, bool Least, IReadOnlyList<string> AlsoRequires)
{
    public string Name => Permission.Name;
}

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
