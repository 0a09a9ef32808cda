using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace SalesFlow.DependencyInjection;

/// <summary>
/// Runs every event feed handler added through the builder: one loop per handler that reads a batch, sleeps
/// <see cref="EventFeedOptions.PollInterval"/> once caught up, backs off after failures, and releases the leases on stop.
/// </summary>
internal sealed class EventFeedDispatcher : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly EventHandlerRegistration[] _registrations;
    private readonly EventFeedOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _owner;
    private HandlerRunner[] _runners = [];

    public EventFeedDispatcher(IServiceProvider services, IEnumerable<EventHandlerRegistration> registrations, IOptions<EventFeedOptions> options)
    {
        _services = services;
        _registrations = [.. registrations];
        _options = options.Value;
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger("SalesFlow.EventFeed") ?? NullLogger.Instance;
        _owner = _options.Owner ?? EventFeedProcessorOptions.CreateOwnerId();
    }

    /// <summary>Gets the id the handlers' leases are held under.</summary>
    public string Owner => _owner;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var names = string.Join(",", _registrations.Select(r => r.Name));
        var store = _services.GetService<IDealStore>() ?? throw new InvalidOperationException(
            $"The event feed handlers ({names}) need a deal store, and SalesFlow has none. Choose one: AddSalesFlow().UseInMemoryStore(), UseSqliteStore(...) (package SalesFlow.Extensions.Sqlite) or UsePostgreSqlStore(...) (package SalesFlow.Extensions.PostgreSql), or register an IDealStore singleton.");
        if (store is not IEventFeedStore feed)
        {
            throw new InvalidOperationException(
                $"The event feed handlers ({names}) need a store that keeps an event feed, but the deal store {store.GetType().FullName} does not implement {nameof(IEventFeedStore)}. "
                + "Use a SalesFlow store (in-memory, SQLite or PostgreSQL), implement IEventFeedStore on your store, or remove the AddEventHandler registrations.");
        }

        var processorOptions = new EventFeedProcessorOptions { BatchSize = _options.BatchSize, LeaseDuration = _options.LeaseDuration, Owner = _owner };
        var scopes = _services.GetRequiredService<IServiceScopeFactory>();

        // One runner per handler and tenant, each on the tenant's own feed, checkpoint and lease.
        (IEventFeedStore Feed, string? Tenant)[] feeds = _options.Tenants.Count == 0
            ? [(feed, null)]
            : [.. _options.Tenants.Select(tenant => (store.ForTenant(tenant) as IEventFeedStore ?? throw new InvalidOperationException(
                $"The store of tenant '{tenant}' ({store.GetType().Name}) does not implement {nameof(IEventFeedStore)}."), (string?)tenant))];
        _runners = [.. _registrations.SelectMany(r => feeds.Select(f => new HandlerRunner(r, f.Feed, f.Tenant, processorOptions, scopes)))];
        if (_logger.IsEnabled(LogLevel.Information))
        {
            EventFeedLog.Started(_logger, names, _owner, store.GetType().Name);
        }

        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        foreach (var runner in _runners)
        {
            try
            {
                await runner.Processor.ReleaseAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                EventFeedLog.ReleaseFailed(_logger, ex, runner.Name, _owner);
            }
            catch (OperationCanceledException)
            {
                // The host's stop timeout ran out: the remaining leases expire on their own.
                break;
            }
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
#pragma warning disable CA1873 // Guarded by IsEnabled just above.
            EventFeedLog.Stopped(_logger, _owner, string.Join(",", _runners.Select(r => r.Name)));
#pragma warning restore CA1873
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_runners.Select(r => RunAsync(r, stoppingToken)));

    private async Task RunAsync(HandlerRunner runner, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var result = await runner.RunBatchAsync(stoppingToken).ConfigureAwait(false);
                failures = result.Status == EventFeedProcessStatus.HandlerFailed ? failures + 1 : 0;
                wait = result.Status switch
                {
                    EventFeedProcessStatus.MoreAvailable => TimeSpan.Zero,
                    EventFeedProcessStatus.HandlerFailed => Backoff(failures),
                    _ => _options.PollInterval,
                };
                Report(runner, result, wait);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                wait = Backoff(failures);
                EventFeedLog.FeedFailed(_logger, ex, runner.Name, wait);
            }

            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    private void Report(HandlerRunner runner, EventFeedProcessResult result, TimeSpan wait)
    {
        switch (result.Status)
        {
            case EventFeedProcessStatus.HandlerFailed when result.Failure is { } failure:
                EventFeedLog.HandlerFailed(_logger, failure.Exception, runner.Name, failure.Position, failure.DealId, failure.Sequence, result.Checkpoint, wait);
                break;
            case EventFeedProcessStatus.LeaseLost:
                EventFeedLog.LeaseLost(_logger, runner.Name, _owner);
                break;
            case EventFeedProcessStatus.CaughtUp or EventFeedProcessStatus.MoreAvailable when result.Handled > 0:
                EventFeedLog.BatchHandled(_logger, runner.Name, result.Handled, result.Checkpoint);
                break;
        }
    }

    // Twice the poll interval after the first failure, doubling up to the ceiling.
    private TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures, 30));
        var ticks = Math.Min(_options.PollInterval.Ticks * factor, _options.MaxFailureBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>One handler's processor; a handler type is resolved from a new service scope per batch.</summary>
    private sealed class HandlerRunner
    {
        private readonly EventHandlerRegistration _registration;
        private readonly IServiceScopeFactory _scopes;
        private AsyncServiceScope? _scope;
        private IDealEventHandler? _handler;

        public HandlerRunner(EventHandlerRegistration registration, IEventFeedStore store, string? tenant, EventFeedProcessorOptions options, IServiceScopeFactory scopes)
        {
            _registration = registration;
            _scopes = scopes;
            Processor = new EventFeedProcessor(store, registration.Name, registration.Callback ?? HandleAsync, options);
            Name = tenant is null ? registration.Name : registration.Name + "@" + tenant;
        }

        // The handler's name in logs: with "@tenant" when the dispatcher runs several tenants.
        public string Name { get; }

        public EventFeedProcessor Processor { get; }

        public async ValueTask<EventFeedProcessResult> RunBatchAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await Processor.ProcessBatchAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _handler = null;
                if (_scope is { } scope)
                {
                    _scope = null;
                    await scope.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        // The scope opens with the batch's first event: an empty poll resolves nothing.
        private ValueTask HandleAsync(FeedEvent feedEvent, CancellationToken cancellationToken)
        {
            if (_handler is null)
            {
                var scope = _scopes.CreateAsyncScope();
                _scope = scope;
                _handler = (IDealEventHandler)scope.ServiceProvider.GetRequiredService(_registration.HandlerType!);
            }

            return _handler.HandleAsync(feedEvent, cancellationToken);
        }
    }
}
