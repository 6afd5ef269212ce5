namespace GraphAuthResilience.Diagnosis;

/// <summary>Which family of tenant or service policy Graph's words name: no permission change fixes any of them.</summary>
internal enum GraphPolicyKind
{
    /// <summary>No policy named.</summary>
    None,

    /// <summary>An Exchange application access policy or RBAC for Applications scope (or a Teams one for online meetings).</summary>
    ApplicationAccessPolicy,

    /// <summary>Conditional access or another sign-in policy.</summary>
    ConditionalAccess,

    /// <summary>A tenant rule (tenant kind, tenant restrictions, a setting an administrator turned off).</summary>
    TenantRule,

    /// <summary>The service is not provisioned for the user or tenant (no SharePoint, no mailbox Graph can reach).</summary>
    ServiceNotProvisioned,
}
