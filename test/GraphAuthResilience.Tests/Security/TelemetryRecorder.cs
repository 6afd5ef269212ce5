using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace GraphAuthResilience.Tests.Security;

/// <summary>
/// Records, as text, everything the library emits: every log line at Trace (message, state values, exception text),
/// every activity of the <c>GraphAuthResilience</c> source (name, tags, status, events) and every measurement of the
/// <c>GraphAuthResilience</c> meter with its tags. The leak scan reads <see cref="Lines"/>.
/// </summary>
internal sealed class TelemetryRecorder : IDisposable
{
    private const string Name = "GraphAuthResilience";
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;

    private readonly Func<string, bool>? _keep;

    /// <param name="keep">When given, only texts it accepts are kept (the suite-wide recorder keeps only suspicious
    /// ones, so that a whole run is scanned without holding every line in memory); every text is still counted.</param>
    public TelemetryRecorder(Func<string, bool>? keep = null)
    {
        _keep = keep;
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Record,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _meters.Start();
    }

    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>Gets every text that carries a raw control character (CR, LF, ESC, BEL, NUL, C1...): a log line,
    /// activity or measurement of this library that could forge a line in a text sink or drive a terminal. An
    /// exception's ToString() may hold LF between its own lines, nothing else.</summary>
    public ConcurrentQueue<string> Unescaped { get; } = new();

    public int Texts;
    public int LogLines;
    public int ActivityCount;
    public int Measurements;

    /// <summary>Gets a logger provider writing here; disposing it (as DI and logger factories do) stops nothing.</summary>
    public ILoggerProvider LoggerProvider => new Provider(this);

    public ILoggerFactory CreateFactory() => LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(LoggerProvider));

    public void Add(string kind, string? text)
    {
        if (text is null)
        {
            return;
        }

        Interlocked.Increment(ref Texts);
        if (kind != "log.other" && text.Any(c => char.IsControl(c) && !(c == '\n' && kind == "exception")))
        {
            Unescaped.Enqueue($"{kind}: {text}");
        }

        var line = $"{kind}: {text}";
        if (_keep is null || _keep(line))
        {
            Lines.Enqueue(line);
        }
    }

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
    }

    private void Record(Activity activity)
    {
        Interlocked.Increment(ref ActivityCount);
        Add("activity", $"{activity.OperationName} {activity.DisplayName} status={activity.Status} {activity.StatusDescription} " +
            string.Join(' ', activity.TagObjects.Select(t => $"{t.Key}={t.Value}")) + " " +
            string.Join(' ', activity.Events.Select(e => e.Name + string.Join(' ', e.Tags.Select(t => $"{t.Key}={t.Value}")))) + " " +
            string.Join(' ', activity.Baggage.Select(b => $"{b.Key}={b.Value}")));
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Interlocked.Increment(ref Measurements);
        var text = new System.Text.StringBuilder($"{instrument.Name}={value}");
        foreach (var tag in tags)
        {
            text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
        }

        Add("metric", text.ToString());
    }

    private sealed class Provider(TelemetryRecorder owner) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(owner, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(TelemetryRecorder owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            owner.Add("scope", state.ToString());
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Interlocked.Increment(ref owner.LogLines);
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            // Other components' lines (HttpClient's header dumps span lines by design) are scanned for leaks, not for
            // control characters.
            owner.Add(category.StartsWith("GraphAuthResilience", StringComparison.Ordinal) ? "log" : "log.other", $"{category} {logLevel} {eventId} {formatter(state, exception)} | {values}");
            if (exception is not null)
            {
                owner.Add("exception", exception.ToString());
            }
        }
    }
}
