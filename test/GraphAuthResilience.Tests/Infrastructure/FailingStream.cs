namespace GraphAuthResilience.Tests.Infrastructure;

/// <summary>A body whose every read fails as a dropped connection does (<see cref="IOException"/>).</summary>
/// <param name="message">The exception's message.</param>
internal sealed class FailingStream(string message = "connection reset") : ReadOnlyTestStream
{
    public override int Read(byte[] buffer, int offset, int count) => throw new IOException(message);
}
