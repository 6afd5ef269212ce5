namespace GraphAuthResilience.Permissions;

/// <summary>
/// The answers the token handler has handed to <see cref="GraphPermissionUsage"/> and that are not counted yet: a
/// bounded ring that many requests write to at once and one drainer reads (the bounded multi-producer queue of
/// sequence-numbered slots described by Dmitry Vyukov). A request pays one compare-and-swap and four field writes;
/// matching the path to the catalog's operation and counting it happen in the drain, on a thread-pool thread once
/// <see cref="DrainBatch"/> answers are waiting, and before any report is read. Nothing is lost: when the ring is full,
/// the request counts its answer itself.
/// </summary>
/// <remarks>
/// Concurrency rule: a slot belongs to the producer that moved <see cref="_tail"/> past it until that producer publishes
/// it (its sequence becomes position + 1), then to the drainer, which holds <see cref="_drainGate"/>, until it hands it
/// back (sequence becomes position + capacity). The slot's fields are written only by their current owner.
/// </remarks>
internal sealed class PermissionUseQueue : IThreadPoolWorkItem
{
    /// <summary>How many answers wait before a drain is scheduled.</summary>
    internal const int DrainBatch = 256;

    private readonly Slot[] _slots;
    private readonly int _mask;
    private readonly Action<string, Uri, TokenPermissions, int> _count;
    private readonly Action<Exception> _failed;
    private readonly Lock _drainGate = new();
    private long _tail;
    private long _head;
    private int _drainScheduled;

    /// <summary>Creates the queue.</summary>
    /// <param name="capacity">The number of slots (a power of two, at least <see cref="DrainBatch"/>).</param>
    /// <param name="count">What the drain does with each answer (thread-safe).</param>
    /// <param name="failed">Told when counting an answer threw (the drain goes on with the next).</param>
    public PermissionUseQueue(int capacity, Action<string, Uri, TokenPermissions, int> count, Action<Exception> failed)
    {
        if (capacity < DrainBatch || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A power of two, at least the drain batch.");
        }

        _slots = new Slot[capacity];
        for (var i = 0; i < capacity; i++)
        {
            _slots[i].Sequence = i;
        }

        _mask = capacity - 1;
        _count = count;
        _failed = failed;
    }

    /// <summary>Gets how many answers wait to be counted (for tests).</summary>
    public long Waiting => Volatile.Read(ref _tail) - Volatile.Read(ref _head);

    /// <summary>Adds an answer; <see langword="false"/> when the ring is full (the caller counts it itself).</summary>
    public bool TryAdd(string method, Uri uri, TokenPermissions token, int status)
    {
        var position = Volatile.Read(ref _tail);
        while (true)
        {
            ref var slot = ref _slots[position & _mask];
            var sequence = Volatile.Read(ref slot.Sequence);
            if (sequence == position)
            {
                var seen = Interlocked.CompareExchange(ref _tail, position + 1, position);
                if (seen == position)
                {
                    slot.Method = method;
                    slot.Uri = uri;
                    slot.Token = token;
                    slot.Status = status;
                    Volatile.Write(ref slot.Sequence, position + 1);
                    if ((position & (DrainBatch - 1)) == DrainBatch - 1 && Interlocked.Exchange(ref _drainScheduled, 1) == 0)
                    {
                        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                    }

                    return true;
                }

                position = seen;
            }
            else if (sequence < position)
            {
                return false; // Full: the drainer has not handed this slot back yet.
            }
            else
            {
                position = Volatile.Read(ref _tail); // Another producer took it: try the next position.
            }
        }
    }

    /// <summary>Counts every answer published so far (the drainer: one at a time).</summary>
    public void Drain()
    {
        lock (_drainGate)
        {
            while (true)
            {
                var position = _head;
                ref var slot = ref _slots[position & _mask];
                if (Volatile.Read(ref slot.Sequence) != position + 1)
                {
                    return; // Empty, or the next answer is still being written: the next drain takes it.
                }

                var (method, uri, token, status) = (slot.Method!, slot.Uri!, slot.Token!, slot.Status);
                slot.Method = null;
                slot.Uri = null;
                slot.Token = null;
                Volatile.Write(ref slot.Sequence, position + _slots.Length);
                Volatile.Write(ref _head, position + 1);
                try
                {
                    _count(method, uri, token, status);
                }
                catch (Exception ex)
                {
                    _failed(ex); // never into the thread pool, never into a request
                }
            }
        }
    }

    /// <inheritdoc />
    void IThreadPoolWorkItem.Execute()
    {
        Volatile.Write(ref _drainScheduled, 0);
        Drain();
    }

    private struct Slot
    {
        public long Sequence;
        public string? Method;
        public Uri? Uri;
        public TokenPermissions? Token;
        public int Status;
    }
}
