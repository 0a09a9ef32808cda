using Npgsql;
using SalesFlow.PostgreSql;
using SalesFlow.Storage.Relational;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests.Faults;

/// <summary>
/// Issue 13 §5: connections killed for real at every step of a move on the PostgreSQL store. Before the commit the
/// server ends the save's session (<c>pg_terminate_backend</c> from a second connection); during the commit either the
/// network fails (a proxy between the store and the server cuts the connection before the server reads the commit, or
/// after it has committed, the answer never arriving) or the server ends the session while the commit runs (a deferred
/// trigger makes the commit wait on a lock the test holds).
/// </summary>
[Collection(PostgresServerTests.Name)]
public sealed class PostgreSqlDealStoreFaultTests : IAsyncLifetime
{
    private readonly List<PostgreSqlDealStore> _stores = [];
    private TemporaryPostgresSchema? _schema;
    private ConnectionCuttingProxy? _proxy;

    private TemporaryPostgresSchema Schema => _schema ??= new TemporaryPostgresSchema();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }

    [PostgresTheory]
    [InlineData(nameof(SaveStep.BeforeTransaction))]
    [InlineData(nameof(SaveStep.AfterEventsWritten))]
    [InlineData(nameof(SaveStep.BeforeCommit))]
    public async Task FireAsync_ServerEndsTheSessionAtAStepOfTheSave_NothingWrittenAndTheFeedSkipsNothing(string stepName)
    {
        var step = Enum.Parse<SaveStep>(stepName);
        var store = Open();
        var scenario = new MoveFaultScenario(store, "killed-" + step);
        await scenario.StartAsync();
        store.OnSaveStep = SaveSteps.At<NpgsqlConnection>(step, (connection, ct) => TerminateAsync(connection.ProcessID, ct));

        var act = scenario.MoveAsync;

        var failure = (await act.Should().ThrowAsync<DealStoreException>()).Which;
        (failure.Store, failure.Operation, failure.Outcome, failure.IsTransient).Should().Be(("PostgreSQL", "save", StoreWriteOutcome.NothingWritten, true));
        failure.InnerException.Should().BeAssignableTo<NpgsqlException>();
        store.OnSaveStep = null;
        (await scenario.AssertWholeOrAbsentAsync(Open())).Should().BeFalse("the server rolls back the transaction of a session it ends");
        await scenario.AssertFeedDeliversEveryEventOnceAfterAnotherMoveAsync();
    }

    [PostgresFact]
    public async Task FireAsync_NetworkFailsAfterTheServerCommitted_UnknownOutcomeAndTheMoveIsStoredWhole()
    {
        var store = OpenThroughProxy();
        var scenario = new MoveFaultScenario(store, "cut-after-commit");
        await scenario.StartAsync();
        store.OnSaveStep = SaveSteps.At<NpgsqlConnection>(SaveStep.BeforeCommit, (_, _) =>
        {
            _proxy!.Arm(ConnectionCuttingProxy.Cut.AfterTheServerAnswers);
            return Task.CompletedTask;
        });

        var act = scenario.MoveAsync;

        var failure = (await act.Should().ThrowAsync<DealStoreException>()).Which;
        _proxy!.CutDone.Task.IsCompleted.Should().BeTrue("the connection was cut during the commit");
        (failure.Operation, failure.Outcome, failure.NotCommitted).Should().Be(("save", StoreWriteOutcome.Unknown, false));
        failure.InnerException.Should().BeAssignableTo<NpgsqlException>().And.NotBeOfType<PostgresException>();
        failure.Message.Should().Contain("may or may not be stored");
        store.OnSaveStep = null;
        (await scenario.AssertWholeOrAbsentAsync(Open())).Should().BeTrue("the server committed before the connection was cut");
        await scenario.AssertFeedDeliversEveryEventOnceAfterAnotherMoveAsync();
    }

    [PostgresFact]
    public async Task FireAsync_NetworkFailsBeforeTheServerReadsTheCommit_UnknownOutcomeAndNothingStored()
    {
        var store = OpenThroughProxy();
        var scenario = new MoveFaultScenario(store, "cut-before-commit");
        await scenario.StartAsync();
        store.OnSaveStep = SaveSteps.At<NpgsqlConnection>(SaveStep.BeforeCommit, (_, _) =>
        {
            _proxy!.Arm(ConnectionCuttingProxy.Cut.BeforeTheServerReadsIt);
            return Task.CompletedTask;
        });

        var act = scenario.MoveAsync;

        var failure = (await act.Should().ThrowAsync<DealStoreException>()).Which;
        _proxy!.CutDone.Task.IsCompleted.Should().BeTrue("the connection was cut during the commit");
        (failure.Operation, failure.Outcome).Should().Be(("save", StoreWriteOutcome.Unknown), "the client cannot tell the two cuts apart");
        store.OnSaveStep = null;
        (await scenario.AssertWholeOrAbsentAsync(Open())).Should().BeFalse("the commit never reached the server");
        await scenario.AssertFeedDeliversEveryEventOnceAfterAnotherMoveAsync();
    }

    [PostgresTheory]
    [InlineData(nameof(ConnectionCuttingProxy.Cut.AfterTheServerAnswers), true)]
    [InlineData(nameof(ConnectionCuttingProxy.Cut.BeforeTheServerReadsIt), false)]
    public async Task FireAsync_RepeatedWithItsIdempotencyKeyAfterAnUnknownOutcome_OneAcceptedOutcomeAndTheMoveStoredOnce(string cutName, bool committed)
    {
        var store = OpenThroughProxy();
        var scenario = new MoveFaultScenario(store, "retry-" + cutName);
        await scenario.StartAsync();
        store.OnSaveStep = SaveSteps.At<NpgsqlConnection>(SaveStep.BeforeCommit, (_, _) =>
        {
            _proxy!.Arm(Enum.Parse<ConnectionCuttingProxy.Cut>(cutName));
            return Task.CompletedTask;
        });
        var first = async () => await scenario.MoveWithKeyAsync("move-1");
        (await first.Should().ThrowAsync<DealStoreException>()).Which.Outcome.Should().Be(StoreWriteOutcome.Unknown);
        store.OnSaveStep = null;

        var retry = await scenario.MoveWithKeyAsync("move-1");
        var again = await scenario.MoveWithKeyAsync("move-1");

        (retry.Status, retry.Repeated).Should().Be((FireStatus.Accepted, committed), "the retry finds the committed move, or makes it");
        (again.Status, again.Repeated).Should().Be((FireStatus.Accepted, true));
        again.Event!.Sequence.Should().Be(2).And.Be(retry.Event!.Sequence);
        var history = await Open().GetEventsAsync(scenario.DealId);
        history.Where(e => e.Trigger == "toggle").Should().ContainSingle("the history holds the move once").Which.IdempotencyKey.Should().Be("move-1");
        (await scenario.AssertWholeOrAbsentAsync(Open())).Should().BeTrue();
        await scenario.AssertFeedDeliversEveryEventOnceAfterAnotherMoveAsync();
    }

    [PostgresFact]
    public async Task FireAsync_ServerEndsTheSessionWhileTheCommitRuns_NothingWrittenAndTheFeedSkipsNothing()
    {
        var store = Open();
        var scenario = new MoveFaultScenario(store, "killed-in-commit");
        await scenario.StartAsync();
        var lockKey = Random.Shared.Next();
        var s = $"\"{Schema.Name}\"";
        await Schema.ExecuteAsync(
            $"CREATE FUNCTION {s}.wait_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            + $"IF current_setting('salesflow_test.wait_at_commit', true) = 'on' THEN PERFORM pg_advisory_xact_lock({lockKey}); END IF; RETURN NULL; END $$; "
            + $"CREATE CONSTRAINT TRIGGER wait_at_commit AFTER INSERT ON {s}.deal_events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {s}.wait_at_commit();");
        await using var holder = new NpgsqlConnection(Schema.ConnectionString);
        await holder.OpenAsync();
        await using (var hold = new NpgsqlCommand($"SELECT pg_advisory_lock({lockKey})", holder))
        {
            await hold.ExecuteNonQueryAsync();
        }

        Task<bool>? killer = null;
        store.OnSaveStep = SaveSteps.At<NpgsqlConnection>(SaveStep.BeforeCommit, async (connection, ct) =>
        {
            // The deferred trigger runs inside COMMIT and waits for the test's lock; the server then ends the session.
            await using (var wait = new NpgsqlCommand("SET LOCAL salesflow_test.wait_at_commit = 'on'", connection))
            {
                await wait.ExecuteNonQueryAsync(ct);
            }

            killer = TerminateWhenWaitingOnALockAsync(connection.ProcessID);
        });

        var act = scenario.MoveAsync;

        var failure = (await act.Should().ThrowAsync<DealStoreException>()).Which;
        (await killer!.WaitAsync(TimeSpan.FromSeconds(15))).Should().BeTrue("the session was ended while its commit waited");

        // The server says why it ends the session (57P01) before the commit record is written: known not committed.
        failure.InnerException.Should().BeOfType<PostgresException>().Which.SqlState.Should().Be("57P01");
        (failure.Operation, failure.Outcome).Should().Be(("save", StoreWriteOutcome.NothingWritten));
        store.OnSaveStep = null;
        await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({lockKey})", holder))
        {
            await release.ExecuteNonQueryAsync();
        }

        (await scenario.AssertWholeOrAbsentAsync(Open())).Should().BeFalse();
        await scenario.AssertFeedDeliversEveryEventOnceAfterAnotherMoveAsync();
    }

    private async Task<bool> TerminateWhenWaitingOnALockAsync(int pid)
    {
        await using var admin = new NpgsqlConnection(Schema.ConnectionString);
        await admin.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            await using var waiting = new NpgsqlCommand("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = @pid", admin);
            waiting.Parameters.AddWithValue("pid", pid);
            if (await waiting.ExecuteScalarAsync() is true)
            {
                await TerminateAsync(pid, CancellationToken.None);
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    // From a second connection, and waits until the backend has gone.
    private async Task TerminateAsync(int pid, CancellationToken cancellationToken)
    {
        await using var admin = new NpgsqlConnection(Schema.ConnectionString);
        await admin.OpenAsync(cancellationToken);
        await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(@pid, 10000)", admin);
        kill.Parameters.AddWithValue("pid", pid);
        (await kill.ExecuteScalarAsync(cancellationToken)).Should().Be(true);
    }

    private PostgreSqlDealStore Open() => Open(Schema.ConnectionString);

    private PostgreSqlDealStore OpenThroughProxy()
    {
        var server = new NpgsqlConnectionStringBuilder(Schema.ConnectionString);
        _proxy = new ConnectionCuttingProxy(server.Host!, server.Port);
        return Open(new NpgsqlConnectionStringBuilder(Schema.ConnectionString) { Host = "127.0.0.1", Port = _proxy.Port }.ConnectionString);
    }

    private PostgreSqlDealStore Open(string connectionString)
    {
        var store = new PostgreSqlDealStore(ContractPipeline.Registry(), new PostgreSqlDealStoreOptions { ConnectionString = connectionString, Schema = Schema.Name });
        _stores.Add(store);
        return store;
    }
}
