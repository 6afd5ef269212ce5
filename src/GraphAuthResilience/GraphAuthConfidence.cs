namespace GraphAuthResilience;

/// <summary>How sure a diagnosis is of its <see cref="GraphAuthException.Cause"/>.</summary>
public enum GraphAuthConfidence
{
    /// <summary>A guess: the <see cref="GraphAuthException.AlternativeCauses"/> are as plausible, and the remediation
    /// names the check that tells them apart.</summary>
    Low,

    /// <summary>Inferred from the token that was sent and the permission map for the call.</summary>
    Medium,

    /// <summary>Decided by Graph's or the token endpoint's own words, or by facts of the token itself.</summary>
    High,
}
