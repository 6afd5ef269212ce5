namespace GraphAuthResilience.Testing;

/// <summary>Thrown by <see cref="GraphPermissionManifest.Verify"/> when the recorded calls and the committed manifest
/// disagree; the message lists each permission that drifted, both ways.</summary>
public sealed class GraphPermissionManifestException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="GraphPermissionManifestException"/> class.</summary>
    public GraphPermissionManifestException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GraphPermissionManifestException"/> class.</summary>
    /// <param name="message">The message.</param>
    public GraphPermissionManifestException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="GraphPermissionManifestException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public GraphPermissionManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal GraphPermissionManifestException(string message, GraphPermissionManifestDrift? drift)
        : base(message) => Drift = drift;

    /// <summary>Gets the drift, or <see langword="null"/> when there was no manifest at all.</summary>
    public GraphPermissionManifestDrift? Drift { get; }
}
