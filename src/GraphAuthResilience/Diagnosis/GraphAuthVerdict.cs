namespace GraphAuthResilience.Diagnosis;

/// <summary>What the decision step concluded from the findings.</summary>
internal sealed class GraphAuthVerdict
{
    /// <summary>Gets the cause.</summary>
    public required GraphAuthFailureCause Cause { get; init; }

    /// <summary>Gets how sure the verdict is.</summary>
    public required GraphAuthConfidence Confidence { get; init; }

    /// <summary>Gets what the evidence leaves open, likeliest first.</summary>
    public IReadOnlyList<GraphAuthFailureCause> Alternatives { get; init; } = [];

    /// <summary>Gets the findings that decided, in short sentences, without token text.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];

    /// <summary>Gets what is known about this failure and what to do, or <see langword="null"/> for the cause's text.</summary>
    public string? Detail { get; init; }

    /// <summary>Gets a value indicating whether <see cref="Detail"/> is the whole remediation.</summary>
    public bool DetailOnly { get; init; }

    /// <summary>Gets a value indicating whether <see cref="Detail"/> already says what to do (no generic text).</summary>
    public bool NamesAction { get; init; }

    /// <summary>Gets the permissions to report, when the verdict knows better than the map's least-privileged ones.</summary>
    public IReadOnlyList<string>? Required { get; init; }

    /// <summary>Gets the permissions the remediation asks to grant (never one the token holds or covers); empty when
    /// no permission fixes the cause.</summary>
    public IReadOnlyList<string> Asked { get; init; } = [];
}
