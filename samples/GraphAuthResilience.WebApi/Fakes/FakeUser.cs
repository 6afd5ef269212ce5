namespace GraphAuthResilience.WebApi.Fakes;

/// <summary>A caller of the fake tenant and what Entra ID answers when the API exchanges that caller's token.</summary>
/// <param name="Name">The short name used in the sample's commands.</param>
/// <param name="ObjectId">The user's object id (<c>oid</c>).</param>
/// <param name="DisplayName">What Graph answers for <c>/me</c>.</param>
/// <param name="OnBehalfOf">How the on-behalf-of exchange ends for this caller.</param>
public sealed record FakeUser(string Name, string ObjectId, string DisplayName, FakeOnBehalfOf OnBehalfOf)
{
    /// <summary>Gets the callers of the fake tenant: two who get a token, one who must pass MFA, one whose consent is missing.</summary>
    public static IReadOnlyList<FakeUser> All { get; } =
    [
        new("adele", "6c5b4a39-0000-4000-8000-0000000000a1", "Adele Vance", FakeOnBehalfOf.Token),
        new("megan", "6c5b4a39-0000-4000-8000-0000000000a2", "Megan Bowen", FakeOnBehalfOf.MfaRequired),
        new("lee", "6c5b4a39-0000-4000-8000-0000000000a3", "Lee Gu", FakeOnBehalfOf.ConsentRequired),
        new("alex", "6c5b4a39-0000-4000-8000-0000000000a4", "Alex Wilber", FakeOnBehalfOf.Token),
    ];

    /// <summary>Finds a caller by name or object id.</summary>
    /// <param name="nameOrObjectId">The name or the object id.</param>
    /// <returns>The caller, or <see langword="null"/>.</returns>
    public static FakeUser? Find(string? nameOrObjectId) =>
        All.FirstOrDefault(u => string.Equals(u.Name, nameOrObjectId, StringComparison.OrdinalIgnoreCase) || u.ObjectId == nameOrObjectId);
}

/// <summary>How the fake token endpoint answers the on-behalf-of exchange of a caller's token.</summary>
public enum FakeOnBehalfOf
{
    /// <summary>A Graph token for the caller.</summary>
    Token,

    /// <summary><c>invalid_grant</c>, AADSTS50076, with the claims the caller must meet by signing in with MFA.</summary>
    MfaRequired,

    /// <summary><c>invalid_grant</c>, AADSTS65001: nobody consented to the API's Graph permissions.</summary>
    ConsentRequired,
}
