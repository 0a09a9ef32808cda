using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace SalesFlow.Storage.Tests.PersonalData;

/// <summary>
/// Captures everything SalesFlow lets out while a test runs: every log record at every level (formatted message, state,
/// scopes, exception), every activity of the SalesFlow source (tags, events, status), every measurement of the SalesFlow
/// meter (tags), and the exceptions and texts the test adds. <see cref="Find"/> says where a planted value shows.
/// </summary>
internal sealed class LeakCapture : ILoggerProvider, IDisposable
{
    private readonly ConcurrentQueue<(string Where, string Text)> _texts = new();
    private readonly ActivityListener _activities;
    private readonly MeterListener _meters;

    public LeakCapture()
    {
        LoggerFactory = new LoggerFactory([this], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SalesFlowDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Record,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SalesFlowDiagnostics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<long>((i, m, tags, _) => Record(i, m, tags));
        _meters.SetMeasurementEventCallback<int>((i, m, tags, _) => Record(i, m, tags));
        _meters.SetMeasurementEventCallback<double>((i, m, tags, _) => Record(i, m, tags));
        _meters.Start();
    }

    public ILoggerFactory LoggerFactory { get; }

    public int LogRecords { get; private set; }

    public int Activities { get; private set; }

    public int Measurements { get; private set; }

    public int Exceptions { get; private set; }

    public void Add(Exception exception)
    {
        Exceptions++;
        Add("exception message", exception.Message);
        Add("exception", exception.ToString());
    }

    public void Add(string where, string? text)
    {
        if (text is not null)
        {
            _texts.Enqueue((where, text));
        }
    }

    /// <summary>Runs a call and captures what it throws, if anything.</summary>
    public async Task<Exception?> CatchAsync(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (Exception ex)
        {
            Add(ex);
            return ex;
        }
    }

    /// <summary>Every captured text that holds one of the values, with where it was captured.</summary>
    public List<string> Find(IEnumerable<string> values)
    {
        _meters.RecordObservableInstruments();
        var planted = values.ToArray();
        return [.. _texts
            .Where(t => planted.Any(v => t.Text.Contains(v, StringComparison.OrdinalIgnoreCase)))
            .Select(t => $"{t.Where}: {t.Text}")];
    }

    public ILogger CreateLogger(string categoryName) => new CaptureLogger(this, categoryName);

    public void Dispose()
    {
        _activities.Dispose();
        _meters.Dispose();
        LoggerFactory.Dispose();
    }

    private void Record(Activity activity)
    {
        Activities++;
        Add("activity name", activity.DisplayName + " " + activity.OperationName);
        Add("activity status", activity.StatusDescription);
        foreach (var (key, value) in activity.TagObjects)
        {
            Add("activity tag", $"{key}={value}");
        }

        foreach (var e in activity.Events)
        {
            Add("activity event", e.Name);
            foreach (var (key, value) in e.Tags)
            {
                Add("activity event tag", $"{key}={value}");
            }
        }

        foreach (var (key, value) in activity.Baggage)
        {
            Add("activity baggage", $"{key}={value}");
        }
    }

    private void Record<T>(Instrument instrument, T measurement, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Measurements++;
        Add("metric", $"{instrument.Name} {measurement}");
        foreach (var (key, value) in tags)
        {
            Add("metric tag", $"{instrument.Name} {key}={value}");
        }
    }

    private void AddState(string where, object? state)
    {
        Add(where, state?.ToString());
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                Add(where + " value", $"{key}={value}");
            }
        }
    }

    private sealed class CaptureLogger(LeakCapture capture, string category) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state)
            where TState : notnull
        {
            capture.AddState($"log scope ({category})", state);
            return Scope.Instance;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            capture.LogRecords++;
            capture.Add($"log {logLevel} {eventId} ({category})", formatter(state, exception));
            capture.AddState($"log state ({category})", state);
            if (exception is not null)
            {
                capture.Add($"log exception ({category})", exception.ToString());
            }
        }
    }

    private sealed class Scope : IDisposable
    {
        public static readonly Scope Instance = new();

        public void Dispose()
        {
        }
    }
}
