namespace GraphAuthResilience.Tokens;

/// <summary>The tenant one token request was for, beside what its source knows of the application.</summary>
/// <param name="Requested">The request's tenant (<see cref="GraphTokenRequest.TenantId"/>), or <see langword="null"/>
/// for the source's own.</param>
/// <param name="Source">What the source knows: home tenant, client id, authority host.</param>
internal sealed record TokenRequestTenant(string? Requested, TokenSourceTenants Source)
{
    /// <summary>Gets a value indicating whether the request was for a customer's tenant: one was asked for, and it is
    /// not the source's own tenant (when that is known).</summary>
    public bool IsCustomer => Requested is not null && !string.Equals(Requested, Source.HomeTenant, StringComparison.OrdinalIgnoreCase);
}
