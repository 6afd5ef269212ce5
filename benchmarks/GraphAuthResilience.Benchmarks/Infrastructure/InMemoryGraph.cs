using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace GraphAuthResilience.Benchmarks.Infrastructure;

/// <summary>
/// The terminal handler standing in for Graph, with no network: drains the request body (as a socket would, into a
/// counting sink, without allocating), remembers the last Authorization header, and answers with <see cref="Respond"/>
/// (default: a fresh 200 with no body).
/// </summary>
internal sealed class InMemoryGraph : HttpMessageHandler
{
    public const string UsersUri = "https://graph.microsoft.com/v1.0/users/00000000-0000-0000-0000-000000000001";

    private readonly CountingSink _sink = new();
    private int _sends;

    public int Sends => Volatile.Read(ref _sends);

    /// <summary>Gets the Authorization header of the last send (a reference write per send; same cost for every variant).</summary>
    public AuthenticationHeaderValue? LastAuthorization { get; private set; }

    /// <summary>Gets the body bytes of the last send.</summary>
    public long LastBodyBytes { get; private set; }

    public Func<HttpRequestMessage, HttpResponseMessage>? Respond { get; set; }

    public void ResetCounters() => Volatile.Write(ref _sends, 0);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sends);
        LastAuthorization = request.Headers.Authorization;
        if (request.Content is { } content)
        {
            return DrainThenRespondAsync(request, content, cancellationToken);
        }

        var response = Respond?.Invoke(request) ?? new HttpResponseMessage(HttpStatusCode.OK);
        response.RequestMessage ??= request;
        return Task.FromResult(response);
    }

    private async Task<HttpResponseMessage> DrainThenRespondAsync(HttpRequestMessage request, HttpContent content, CancellationToken cancellationToken)
    {
        // Concurrent sends with bodies are not used by the benchmarks; the sink is per handler.
        _sink.Reset();
        await content.CopyToAsync(_sink, cancellationToken);
        LastBodyBytes = _sink.Count;
        var response = Respond?.Invoke(request) ?? new HttpResponseMessage(HttpStatusCode.OK);
        response.RequestMessage ??= request;
        return response;
    }

    /// <summary>A write-only stream that counts bytes and keeps none.</summary>
    private sealed class CountingSink : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Count;

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public void Reset() => Count = 0;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Count += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Count += count;
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>A forward-only, non-seekable stream over a byte array (what a network or pipe body looks like).</summary>
internal sealed class ForwardOnlyStream(byte[] data) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
