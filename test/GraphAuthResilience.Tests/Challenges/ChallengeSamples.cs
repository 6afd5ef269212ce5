using GraphAuthResilience.Testing;

namespace GraphAuthResilience.Tests.Challenges;

/// <summary>The real WWW-Authenticate values of Samples/www-authenticate.md (sources cited there), with what their claims
/// decode to; those the Testing package also answers with come from <see cref="GraphResponses"/>.</summary>
internal static class ChallengeSamples
{
    public const string PlainGraph401 = GraphResponses.PlainChallenge;

    public const string CaeQuoted = GraphResponses.QuotedClaimsChallenge;

    public const string CaeQuotedClaims = GraphResponses.QuotedClaimsJson;

    public const string CaeUnquoted = GraphResponses.UnquotedClaimsChallenge;

    public const string CaeUnquotedClaims = GraphResponses.UnquotedClaimsJson;

    public const string NoSchemeSpaceBeforeEquals =
        "authorization_url =\"https://login.microsoftonline.com/common/oauth2/authorize\",error=\"insufficient_claims\",claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6ZmFsc2UsInZhbHVlIjoxNTM5Mjg0Mzc2fX19\"";

    public const string NoSchemeClaims = "{\"access_token\":{\"nbf\":{\"essential\":false,\"value\":1539284376}}}";

    public const string InvalidTokenWithClaims =
        "Bearer authorization_uri=\"https://login.windows-ppe.net/\", error=\"invalid_token\", error_description=\"User session has been revoked\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwMzc0MjgwMCJ9fX0=\"";

    public const string InvalidTokenWithClaimsJson = "{\"access_token\":{\"nbf\":{\"essential\":true, \"value\":\"1603742800\"}}}";

    public const string MissingAuthorization =
        "Bearer authorization_uri=\"https://login.windows.net/\", error=\"invalid_token\", error_description=\"The authentication failed because of missing 'Authorization' header.\"";

    public const string UnquotedSpaceSeparated =
        "Bearer authorization_uri=https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/authorize resource_id=https://storage.azure.com";

    public const string TwoChallenges = "PoP nonce=\"someNonce\", Bearer error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnt9fQ==\"";

    public const string TwoChallengesClaims = "{\"access_token\":{}}";

    /// <summary>S25, recorded live: POST /v1.0/me/revokeSignInSessions → 401.</summary>
    public const string S25Header =
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\", error=\"insufficient_claims\", claims=\"eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYzNTUyNzc5MCJ9fX0=\"";

    public const string S25Claims = "{\"access_token\":{\"nbf\":{\"essential\":true, \"value\":\"1635527790\"}}}";

    public const string S25Body =
        "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"Continuous access evaluation resulted in claims challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp\",\"innerError\":{\"date\":\"2021-10-29T17:16:30\",\"request-id\":\"c41e8b07-35d2-4a9f-b6e8-90a1f2d4c356\",\"client-request-id\":\"c41e8b07-35d2-4a9f-b6e8-90a1f2d4c356\"}}}";

    public const string ExpiredBody =
        "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"Access token has expired or is not yet valid.\",\"innerError\":{\"date\":\"2024-03-01T10:00:00\",\"request-id\":\"5a0b1c2d-1111-4222-8333-444455556666\",\"client-request-id\":\"5a0b1c2d-1111-4222-8333-444455556666\"}}}";

    /// <summary>Every header that carries claims, with the JSON they decode to.</summary>
    public static IEnumerable<TestCaseData> WithClaims()
    {
        yield return new TestCaseData(CaeQuoted, CaeQuotedClaims).SetName("{m}(CaeQuoted)");
        yield return new TestCaseData(CaeUnquoted, CaeUnquotedClaims).SetName("{m}(CaeUnquotedAuthorizationUri)");
        yield return new TestCaseData(NoSchemeSpaceBeforeEquals, NoSchemeClaims).SetName("{m}(NoSchemeSpaceBeforeEquals)");
        yield return new TestCaseData(InvalidTokenWithClaims, InvalidTokenWithClaimsJson).SetName("{m}(InvalidTokenWithClaims)");
        yield return new TestCaseData(TwoChallenges, TwoChallengesClaims).SetName("{m}(TwoChallengesInOneHeader)");
        yield return new TestCaseData(S25Header, S25Claims).SetName("{m}(S25Recorded)");
    }

    /// <summary>Every header without claims.</summary>
    public static IEnumerable<TestCaseData> WithoutClaims()
    {
        yield return new TestCaseData(PlainGraph401).SetName("{m}(PlainGraph401)");
        yield return new TestCaseData(MissingAuthorization).SetName("{m}(MissingAuthorization)");
        yield return new TestCaseData(UnquotedSpaceSeparated).SetName("{m}(UnquotedSpaceSeparated)");
    }
}
