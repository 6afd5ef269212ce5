using System.Buffers;
using System.Runtime.CompilerServices;

namespace GraphAuthResilience.Permissions;

/// <summary>
/// The last few operations one thread recorded, each with the text of a request that found it: a request whose text
/// starts like one of them finds its operation with one comparison of that start, without the path walk of
/// <see cref="OperationPathIndex"/>. An entry is made only from what the walk found, and stands for exactly what the
/// walk would find again:
/// <list type="bullet">
/// <item><description>the same method and the same path, byte for byte (query and fragment aside), when the walk
/// matched the path's last segment with a literal (<c>/me</c>, <c>/users?$filter=…</c>);</description></item>
/// <item><description>the same method and the same path up to its last <c>/</c>, then one segment that
/// <see cref="OperationPathIndex.TakesWildcard"/>, when the walk matched the last segment with a wildcard
/// (<c>/users/{id}</c> for every other id). The index never holds a literal beside a wildcard that such a segment could
/// equal (<see cref="OperationPathIndex.IdLikeLiterals"/>), so the walk would take the same wildcard.</description></item>
/// </list>
/// Anything else is a miss, and the caller walks. One instance per thread (<see cref="For"/>), so nothing here is
/// shared and nothing is locked.
/// </summary>
internal sealed class RecentOperations
{
    /// <summary>How many operations a thread keeps.</summary>
    internal const int Size = 4;

    /// <summary>The end of a segment (<c>/</c>, <c>?</c>, <c>#</c>) and the syntax only the catalog reads.</summary>
    private static readonly SearchValues<char> SegmentEndOrCatalogOnly = SearchValues.Create("/?#" + OperationPathIndex.CatalogOnlyCharacters);

    [ThreadStatic]
    private static RecentOperations? t_recent;

    private readonly Entry[] _entries = new Entry[Size];
    private int _next;

    private RecentOperations(GraphPermissionUsage owner)
    {
        Owner = owner;
        Generation = owner.Generation;
    }

    /// <summary>Gets the recorder whose operations these are.</summary>
    public GraphPermissionUsage Owner { get; }

    private int Generation { get; }

    /// <summary>The calling thread's recent operations of <paramref name="owner"/> (another recorder's, or operations the
    /// recorder has forgotten, are dropped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static RecentOperations For(GraphPermissionUsage owner)
    {
        var recent = t_recent;
        return recent is not null && ReferenceEquals(recent.Owner, owner) && recent.Generation == owner.Generation ? recent : Renew(owner);
    }

    /// <summary>Starts this thread's recent operations afresh for <paramref name="owner"/> (kept out of the hot path).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static RecentOperations Renew(GraphPermissionUsage owner) => t_recent = new RecentOperations(owner);

    /// <summary>Finds the operation of a request like one made before on this thread.</summary>
    /// <param name="method">The request's method.</param>
    /// <param name="text">The request URI's text (<see cref="Uri.OriginalString"/>).</param>
    /// <returns>The operation, or <see langword="null"/> when no entry stands for this request.</returns>
    public RecordedOperation? Find(string method, string text)
    {
        foreach (ref readonly var entry in _entries.AsSpan())
        {
            if (entry.Text is not { } seen)
            {
                return null; // entries fill in order: none past the first empty one
            }

            var start = entry.Start;
            if ((!ReferenceEquals(entry.Method, method) && !string.Equals(entry.Method, method, StringComparison.Ordinal))
                || text.Length < start
                || !text.AsSpan(0, start).SequenceEqual(seen.AsSpan(0, start)))
            {
                continue;
            }

            var rest = text.AsSpan(start);
            if (!entry.LastWildcard)
            {
                if (rest.IsEmpty || rest[0] is '?' or '#')
                {
                    return entry.Operation;
                }

                continue;
            }

            // One scan finds the segment's end and any syntax only the catalog reads.
            var end = rest.IndexOfAny(SegmentEndOrCatalogOnly);
            if (end >= 0 && rest[end] is not ('?' or '#'))
            {
                continue; // more segments than the entry's path, or key/function syntax
            }

            if (OperationPathIndex.TakesWildcard(end < 0 ? rest : rest[..end]))
            {
                return entry.Operation;
            }
        }

        return null;
    }

    /// <summary>Keeps what the walk found for a request, in place of the oldest entry (nothing is allocated).</summary>
    /// <param name="method">The request's method.</param>
    /// <param name="text">The request URI's text.</param>
    /// <param name="pathStart">Where its path starts in <paramref name="text"/>.</param>
    /// <param name="pathLength">The path's length.</param>
    /// <param name="lastWildcard">Whether the walk matched the path's last segment with a wildcard.</param>
    /// <param name="operation">The operation the walk found.</param>
    public void Remember(string method, string text, int pathStart, int pathLength, bool lastWildcard, RecordedOperation operation)
    {
        ref var entry = ref _entries[_next];
        entry.Method = method;
        entry.Text = text;
        entry.Start = lastWildcard ? pathStart + text.AsSpan(pathStart, pathLength).LastIndexOf('/') + 1 : pathStart + pathLength;
        entry.LastWildcard = lastWildcard;
        entry.Operation = operation;
        _next = (_next + 1) % Size;
    }

    /// <summary>One operation: the request text it was found for, and how much of it another request must share.</summary>
    private struct Entry
    {
        /// <summary>The method.</summary>
        public string Method;

        /// <summary>The request URI's text (<see langword="null"/>: the entry is empty).</summary>
        public string? Text;

        /// <summary>The length of the text another request must start with: the whole path, or the path up to and with
        /// its last <c>/</c> when <see cref="LastWildcard"/>.</summary>
        public int Start;

        /// <summary>Whether the last segment may be any segment that takes a wildcard.</summary>
        public bool LastWildcard;

        /// <summary>The operation.</summary>
        public RecordedOperation Operation;
    }
}
