namespace GraphAuthResilience.Diagnosis;

/// <summary>The findings of every evidence reader for one failed response.</summary>
/// <param name="Request">What the request and the chain's handling say.</param>
/// <param name="Words">What Graph's message says.</param>
/// <param name="Code">What Graph's error code says.</param>
/// <param name="CodeText">Graph's error code as sent.</param>
/// <param name="Token">What the token says.</param>
/// <param name="Map">What the permission map says for this operation and token.</param>
internal sealed record GraphAuthFindings(
    GraphRequestFinding Request,
    GraphWordsFinding Words,
    GraphCodeMeaning Code,
    string? CodeText,
    GraphTokenFinding Token,
    GraphPermissionMapFinding Map);
