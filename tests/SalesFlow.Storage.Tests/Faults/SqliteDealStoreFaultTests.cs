using Microsoft.Data.Sqlite;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Relational;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests.Faults;

/// <summary>
/// Issue 13 §5: faults at every step of a move on the SQLite store. SQLite is a library in the process, so there is no
/// connection to kill: at each step the seam fails the way SQLite fails when the disk does (a <c>SQLITE_IOERR_WRITE</c>
/// <see cref="SqliteException"/> from the step), and during the commit SQLite's own commit hook vetoes the commit
/// inside <c>COMMIT</c> (SQLite then rolls the transaction back, as on a failed commit write).
/// </summary>
public sealed class SqliteDealStoreFaultTests : IDisposable
{
    private const int SqliteIoErr = 10;
    private const int SqliteIoErrWrite = 778;

    private readonly TemporarySqliteFile _file = new();
    private readonly List<SqliteDealStore> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        SqliteConnection.ClearAllPools();
        _file.Dispose();
    }

    [Theory]
    [InlineData(nameof(SaveStep.BeforeTransaction))]
    [InlineData(nameof(SaveStep.AfterDealWritten))]
    [InlineData(nameof(SaveStep.AfterEventsWritten))]
    [InlineData(nameof(SaveStep.BeforeCommit))]
    public async Task FireAsync_DiskFailsAtAStepOfTheSave_NothingWrittenAndTheFeedSkipsNothing(string stepName)
    {
        var step = Enum.Parse<SaveStep>(stepName);
        var store = Open();
        var scenario = new MoveFaultScenario(store, "disk-" + step);
        await scenario.StartAsync();
        store.OnSaveStep = SaveSteps.At<SqliteConnection>(step, (_, _) => throw new SqliteException("disk I/O error", SqliteIoErr, SqliteIoErrWrite));

        var act = scenario.MoveAsync;

        var failure = (await act.Should().ThrowAsync<DealStoreException>()).Which;
        (failure.Store, failure.Operation, failure.Outcome, failure.ErrorCode).Should().Be(("SQLite", "save", StoreWriteOutcome.NothingWritten, "10"));
        failure.InnerException.Should().BeOfType<SqliteException>();
        store.OnSaveStep = null;
        (await scenario.AssertWholeOrAbsentAsync(Open())).Should().BeFalse("a failed SQLite transaction is rolled back");
        await scenario.AssertFeedDeliversEveryEventOnceAfterAnotherMoveAsync();
    }

    [Fact]
    public async Task FireAsync_CommitFailsInsideCommit_NothingWrittenAndTheFeedSkipsNothing()
    {
        var store = Open();
        var scenario = new MoveFaultScenario(store, "commit-veto");
        await scenario.StartAsync();
        var vetoed = 0;
        store.OnSaveStep = SaveSteps.At<SqliteConnection>(SaveStep.BeforeCommit, (connection, _) =>
        {
            // Runs inside COMMIT, after the transaction's pages are ready: a non-zero answer turns the commit into a rollback.
            // The pool keeps the native connection (and its hook), so only the first commit is vetoed.
            SQLitePCL.raw.sqlite3_commit_hook(connection.Handle, _ => Interlocked.CompareExchange(ref vetoed, 1, 0) == 0 ? 1 : 0, null);
            return Task.CompletedTask;
        });

        var act = scenario.MoveAsync;

        var failure = (await act.Should().ThrowAsync<DealStoreException>()).Which;
        vetoed.Should().Be(1, "the fault came inside the commit");
        (failure.Operation, failure.Outcome).Should().Be(("save", StoreWriteOutcome.NothingWritten));
        ((SqliteException)failure.InnerException!).SqliteErrorCode.Should().Be(19); // SQLITE_CONSTRAINT_COMMITHOOK
        store.OnSaveStep = null;
        (await scenario.AssertWholeOrAbsentAsync(Open())).Should().BeFalse("SQLite rolled the vetoed commit back");
        await scenario.AssertFeedDeliversEveryEventOnceAfterAnotherMoveAsync();
    }

    private SqliteDealStore Open()
    {
        var store = new SqliteDealStore(ContractPipeline.Registry(), new SqliteDealStoreOptions { DataSource = _file.Path });
        _stores.Add(store);
        return store;
    }
}
