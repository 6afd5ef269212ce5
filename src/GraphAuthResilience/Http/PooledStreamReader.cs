using System.Buffers;

namespace GraphAuthResilience.Http;

/// <summary>Reads a stream into a buffer rented from <see cref="ArrayPool{T}.Shared"/>, growing it, up to a limit.</summary>
internal static class PooledStreamReader
{
    /// <summary>
    /// Reads <paramref name="stream"/> after the <paramref name="read"/> bytes already in <paramref name="buffer"/>
    /// until it ends, or until the buffer is full and holds more than <paramref name="limit"/> bytes (it is not grown
    /// past <paramref name="limit"/> + 1, though the pool may hand out a longer one), so the caller can tell "longer
    /// than the limit" without reading the whole stream.
    /// </summary>
    /// <param name="stream">The stream to read.</param>
    /// <param name="buffer">A buffer rented from <see cref="ArrayPool{T}.Shared"/>; it is owned from here on: a
    /// larger one replaces it (it goes back to the pool), and on failure the current one goes back before the
    /// exception is rethrown.</param>
    /// <param name="read">How many bytes at the start of <paramref name="buffer"/> are already held.</param>
    /// <param name="limit">The most bytes the caller would keep; at most <see cref="Array.MaxLength"/> - 1.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The rented buffer now holding the bytes (the caller returns it to the pool), and how many it holds:
    /// more than <paramref name="limit"/> when the stream is longer.</returns>
    public static async ValueTask<(byte[] Buffer, int Read)> ReadAsync(Stream stream, byte[] buffer, int read, int limit, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (read == buffer.Length)
                {
                    if (read > limit)
                    {
                        break;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, (long)limit + 1));
                    buffer.AsSpan(0, read).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return (buffer, read);
    }
}
