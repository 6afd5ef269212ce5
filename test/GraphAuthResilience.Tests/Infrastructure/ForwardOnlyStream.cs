namespace GraphAuthResilience.Tests.Infrastructure;

/// <summary>A stream that can be read once, forward only, in small chunks, with no length (like a network or pipe
/// stream): HttpContent cannot know its length and cannot rewind it.</summary>
internal sealed class ForwardOnlyStream(byte[] data, int chunk = 8 * 1024) : ReadOnlyTestStream
{
    private int _position;

    /// <summary>Gets a value indicating whether the stream was disposed.</summary>
    public bool Disposed { get; private set; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(Math.Min(count, chunk), data.Length - _position);
        Array.Copy(data, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
