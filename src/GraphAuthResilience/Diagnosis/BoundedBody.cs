using System.Net.Http.Headers;

using GraphAuthResilience.Http;

namespace GraphAuthResilience.Diagnosis;

/// <summary>
/// Reads at most a bounded prefix of a response body for diagnosis and leaves the body whole for the caller: a
/// small body is buffered in place; a larger one is replaced by content that replays the prefix, then the rest.
/// </summary>
internal static class BoundedBody
{
    internal const int MaxDiagnosisBytes = 64 * 1024;

    public static async ValueTask<byte[]> ReadPrefixAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var content = response.Content;
        if (content is null)
        {
            return [];
        }

        if (content.Headers.ContentLength is { } length && length <= MaxDiagnosisBytes)
        {
#if NET9_0_OR_GREATER
            await content.LoadIntoBufferAsync(MaxDiagnosisBytes, cancellationToken).ConfigureAwait(false);
#else
            await content.LoadIntoBufferAsync(MaxDiagnosisBytes).ConfigureAwait(false);
#endif
            return await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxDiagnosisBytes];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        var prefix = buffer.AsSpan(0, read).ToArray();
        var replacement = new StreamContent(new PrefixedStream(prefix, stream));
        foreach (var header in content.Headers)
        {
            replacement.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = replacement;
        return prefix;
    }
}
