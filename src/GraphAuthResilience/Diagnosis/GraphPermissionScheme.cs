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
