using System.Diagnostics.Tracing;

namespace GraphAuthResilience.Tests.Reliability;

/// <summary>
/// Counts the runtime's thread-pool adjustments made because pool threads were blocked (starvation, or a pool thread
/// blocking on a task: the signature of sync-over-async). Listens to the runtime's own event source; no timings.
/// </summary>
internal sealed class ThreadPoolBlockingDetector : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords ThreadingKeyword = (EventKeywords)0x10000;
    private const uint Starvation = 6;
    private const uint CooperativeBlocking = 8;
    private int _blockingAdjustments;
    private int _adjustments;

    public int BlockingAdjustments => Volatile.Read(ref _blockingAdjustments);

    public int Adjustments => Volatile.Read(ref _adjustments);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource)
        {
            EnableEvents(eventSource, EventLevel.Informational, ThreadingKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "ThreadPoolWorkerThreadAdjustmentAdjustment" || eventData.PayloadNames is null)
        {
            return;
        }

        Interlocked.Increment(ref _adjustments);
        var index = eventData.PayloadNames.IndexOf("Reason");
        if (index >= 0 && eventData.Payload?[index] is { } reason && Convert.ToUInt32(reason, System.Globalization.CultureInfo.InvariantCulture) is Starvation or CooperativeBlocking)
        {
            Interlocked.Increment(ref _blockingAdjustments);
        }
    }
}
