namespace GraphAuthResilience.Graph;

/// <summary>Which kind of token Graph's words say an API refuses.</summary>
internal enum GraphTokenKindRefusal
{
    /// <summary>Graph said nothing about the kind of token.</summary>
    None,

    /// <summary>The API refuses app-only tokens: it needs a signed-in user (delegated).</summary>
    AppOnlyRefused,

    /// <summary>The API refuses delegated tokens: it needs an app-only token.</summary>
    DelegatedRefused,
}
