using Microsoft.Data.Sqlite;
using Npgsql;
using SalesFlow.PostgreSql;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Relational;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing;
using Xunit.Abstractions;

namespace SalesFlow.Storage.Tests.Faults;

/// <summary>
/// Issue 13 §5: cancellation at every await of a start, a move and an activity. For N = 1, 2, … the caller's token is
/// cancelled at the N-th await point — before and after every store call (<see cref="FaultInjectingDealStore"/>), in
/// every hook, and on SQLite at every step inside the save transaction too (the store's save seam) — until a run
/// completes without reaching N (on PostgreSQL too, at its save steps). Every time the write is whole or absent, the store's invariants hold, and the caller
/// gets an <see cref="OperationCanceledException"/> or a typed SalesFlow exception.
/// </summary>
[Collection(PostgresServerTests.Name)]
public sealed class CancellationAtEveryAwaitTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<TemporarySqliteFile> _files = [];
    private readonly List<IDisposable> _stores = [];
    private readonly List<TemporaryPostgresSchema> _schemas = [];

    public static TheoryData<string, string> Cases { get; } = new()
    {
        { "memory", "start" }, { "memory", "start-keyed" }, { "memory", "move" }, { "memory", "move-keyed" }, { "memory", "activity" }, { "memory", "checklist" },
        { "sqlite", "start" }, { "sqlite", "move" }, { "sqlite", "move-keyed" }, { "sqlite", "activity" },
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        SqliteConnection.ClearAllPools();
        foreach (var file in _files)
        {
            file.Dispose();
        }

        foreach (var schema in _schemas)
        {
            await schema.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Write_CancelledAtEachAwaitInTurn_WholeOrAbsentAndOnlyCancellationOrTypedErrors(string storeKind, string write) =>
        CancelAtEachAwaitAsync(storeKind, write);

    [PostgresTheory]
    [InlineData("start")]
    [InlineData("move")]
    [InlineData("move-keyed")]
    [InlineData("activity")]
    public Task PostgreSqlWrite_CancelledAtEachAwaitInTurn_WholeOrAbsentAndOnlyCancellationOrTypedErrors(string write) =>
        CancelAtEachAwaitAsync("postgres", write);

    private async Task CancelAtEachAwaitAsync(string storeKind, string write)
    {
        var cancelledRuns = 0;
        for (var n = 1; n < 200; n++)
        {
            var points = new AwaitPoints();
            var inner = OpenStore(storeKind, points);
            var store = new FaultInjectingDealStore(inner);
            store.When(_ => true, FaultTiming.BeforeInnerCall, points.PassAsync).When(_ => true, FaultTiming.AfterInnerCall, points.PassAsync);

            var options = new SalesFlowEngineOptions();
            options.Hooks.Add(new CountingHook(points));
            var engine = new SalesFlowEngine(ContractPipeline.Registry(), store, options);
            if (write != "start" && write != "start-keyed")
            {
                await engine.StartAsync(ContractPipeline.Id, "d", new ContractDealData(), "alice");
            }

            var before = (await inner.GetEventsAsync("d")).Count;
            using var cancellation = new CancellationTokenSource();
            points.CancelAt(n, cancellation);

            Exception? thrown = null;
            try
            {
                await WriteAsync(engine, write, cancellation.Token);
            }
            catch (Exception ex)
            {
                thrown = ex;
            }

            if (!points.Reached)
            {
                thrown.Should().BeNull("the run that reaches no cancellation completes");
                points.Passed.Should().Be(n - 1);
                (await AssertWholeOrAbsentAsync(inner, before)).Should().BeTrue();
                cancelledRuns.Should().BeGreaterThan(2, "every write has several awaits");
                output.WriteLine($"{storeKind} {write}: cancelled at each of {n - 1} await points");
                return;
            }

            // After the save the write stands: a cancelled after-save hook is reported in the result, not thrown.
            cancelledRuns++;
            thrown?.Should().Match<Exception>(
                e => e is OperationCanceledException || e is SalesFlowException,
                "await point {0} of {1} {2} ends in cancellation or a typed error, not {3}", n, storeKind, write, thrown);
            var stored = await AssertWholeOrAbsentAsync(inner, before);
            if (thrown is null)
            {
                stored.Should().BeTrue("a write that returns normally is stored");
            }

            if (write.EndsWith("-keyed", StringComparison.Ordinal))
            {
                // The retry a caller makes after a cancellation: once, whatever the first attempt left.
                points.CancelAt(int.MaxValue, cancellation);
                await WriteAsync(engine, write, CancellationToken.None);
                (await inner.GetEventsAsync("d")).Count.Should().Be(before + 1, "the keyed retry writes the move once");
            }
        }

        throw new InvalidOperationException("A write with 200 await points: the loop did not end.");
    }

    private static Task WriteAsync(SalesFlowEngine engine, string write, CancellationToken cancellationToken) => write switch
    {
        "start" => engine.StartAsync(ContractPipeline.Id, "d", new ContractDealData(), "alice", cancellationToken).AsTask(),
        "start-keyed" => engine.StartAsync(ContractPipeline.Id, "d", new ContractDealData(), new StartRequest("alice") { IdempotencyKey = "s" }, cancellationToken).AsTask(),
        "move" => engine.FireAsync("d", "toggle", new FireRequest("bob"), cancellationToken).AsTask(),
        "move-keyed" => engine.FireAsync("d", "toggle", new FireRequest("bob") { IdempotencyKey = "m" }, cancellationToken).AsTask(),
        "activity" => engine.RecordActivityAsync("d", new ActivityRequest("bob") { Note = "called" }, cancellationToken).AsTask(),
        _ => engine.CompleteChecklistItemAsync("d", "call-logged", "bob", cancellationToken).AsTask(),
    };

    // Gapless sequences, the deal's sequence, version and stage those of its events, and the write there once or not at all.
    private static async Task<bool> AssertWholeOrAbsentAsync(IDealStore store, int eventsBefore)
    {
        var events = await store.GetEventsAsync("d");
        var deal = await store.GetAsync("d");
        if (events.Count == 0)
        {
            deal.Should().BeNull("a deal is never stored without its start event");
            return eventsBefore == 0 ? false : throw new InvalidOperationException("Events were lost.");
        }

        deal.Should().NotBeNull();
        events.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), "sequences are gapless");
        (deal!.LastSequence, deal.Version).Should().Be((events.Count, events.Count), "one event per write");
        deal.StageId.Should().Be(events[^1].ToStage, "the state equals the replay of its events");
        events.Count.Should().BeOneOf(eventsBefore, eventsBefore + 1);
        return events.Count == eventsBefore + 1;
    }

    // A fresh store; the SQL stores pass the await points at every step of their save transaction too.
    private IDealStore OpenStore(string kind, AwaitPoints points)
    {
        switch (kind)
        {
            case "memory":
                return new InMemoryDealStore();
            case "sqlite":
                var file = new TemporarySqliteFile();
                _files.Add(file);
                var sqlite = new SqliteDealStore(ContractPipeline.Registry(), new SqliteDealStoreOptions { DataSource = file.Path });
                _stores.Add(sqlite);
                sqlite.OnSaveStep = (_, _, ct) => points.PassAsync(default, ct).AsTask();
                return sqlite;
            default:
                var schema = new TemporaryPostgresSchema();
                _schemas.Add(schema);
                var postgres = new PostgreSqlDealStore(ContractPipeline.Registry(), new PostgreSqlDealStoreOptions { ConnectionString = schema.ConnectionString, Schema = schema.Name });
                _stores.Add(postgres);
                postgres.OnSaveStep = (_, _, ct) => points.PassAsync(default, ct).AsTask();
                return postgres;
        }
    }

    // The await points of one run, numbered as they are passed; the one chosen cancels the caller's token and throws.
    private sealed class AwaitPoints
    {
        private int _passed;
        private int _cancelAt;
        private CancellationTokenSource? _source;

        public bool Reached { get; private set; }

        public int Passed => _passed;

        public void CancelAt(int n, CancellationTokenSource source)
        {
            _passed = 0;
            _cancelAt = n;
            _source = source;
            Reached = false;
        }

        public async ValueTask PassAsync(DealStoreCall call, CancellationToken cancellationToken)
        {
            if (_source is null || Interlocked.Increment(ref _passed) != _cancelAt)
            {
                return;
            }

            Reached = true;
            await _source.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
            throw new OperationCanceledException(_source.Token);
        }
    }

    private sealed class CountingHook(AwaitPoints points) : IDealHook
    {
        public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) => points.PassAsync(default, cancellationToken);

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken) => points.PassAsync(default, cancellationToken);
    }
}
