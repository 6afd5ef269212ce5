namespace GraphAuthResilience.Diagnosis;

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
