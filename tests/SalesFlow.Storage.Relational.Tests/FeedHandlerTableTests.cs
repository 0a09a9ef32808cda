using SalesFlow.Storage.Relational.Tests.Support;

namespace SalesFlow.Storage.Relational.Tests;

public sealed class FeedHandlerTableTests
{
    private static readonly FeedHandlerTable Table = new(PortableDialect.Instance, "handlers");
    private static readonly DateTimeOffset Now = Fixtures.T0;

    [Fact]
    public void Constructor_OnlyOneDatabaseClockExpression_Throws()
    {
        FluentActions.Invoking(() => new FeedHandlerTable(PortableDialect.Instance, "h", "now()")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new FeedHandlerTable(null!, "h")).Should().Throw<ArgumentNullException>();
        new FeedHandlerTable(PortableDialect.Instance, "h", "now()", "now() + $lease_ms").Acquire.Should().Contain("h.lease_expires_at <= now()");
    }

    [Fact]
    public async Task Leases_TwoOwners_OneHolderUntilExpiryOrRelease()
    {
        await using var connection = await OpenAsync();
        var lease = TimeSpan.FromSeconds(30);

        (await Table.TryAcquireLeaseAsync(connection, null, "t1", "h", "p1", lease, Now, default)).Should().BeTrue();
        (await Table.TryAcquireLeaseAsync(connection, null, "t1", "h", "p2", lease, Now.AddSeconds(29), default)).Should().BeFalse();
        (await Table.TryAcquireLeaseAsync(connection, null, "t1", "h", "p1", lease, Now.AddSeconds(29), default)).Should().BeTrue("the holder renews");
        (await Table.TryAcquireLeaseAsync(connection, null, "t1", "h", "p2", lease, Now.AddSeconds(58), default)).Should().BeFalse("the renewal counts from then");
        (await Table.TryAcquireLeaseAsync(connection, null, "t1", "h", "p2", lease, Now.AddSeconds(59), default)).Should().BeTrue("an expired lease is taken over");

        await Table.ReleaseLeaseAsync(connection, null, "t1", "h", "p1", default);
        (await Table.TryAcquireLeaseAsync(connection, null, "t1", "h", "p1", lease, Now.AddSeconds(60), default)).Should().BeFalse("only the holder releases");
        await Table.ReleaseLeaseAsync(connection, null, "t1", "h", "p2", default);
        (await Table.TryAcquireLeaseAsync(connection, null, "t1", "h", "p1", lease, Now.AddSeconds(60), default)).Should().BeTrue();
    }

    [Fact]
    public async Task TrySaveCheckpointAsync_OnlyUnderAnUnexpiredLease()
    {
        await using var connection = await OpenAsync();
        await Table.TryAcquireLeaseAsync(connection, null, "t1", "h", "p1", TimeSpan.FromSeconds(10), Now, default);

        (await Table.TrySaveCheckpointAsync(connection, null, "t1", "h", "p1", new FeedPosition(5, 1), Now.AddSeconds(9), default)).Should().BeTrue();
        (await Table.TrySaveCheckpointAsync(connection, null, "t1", "h", "p2", new FeedPosition(6, 0), Now.AddSeconds(9), default)).Should().BeFalse();
        (await Table.TrySaveCheckpointAsync(connection, null, "t1", "h", "p1", new FeedPosition(7, 0), Now.AddSeconds(10), default)).Should().BeFalse("the lease expired");

        (await Table.GetCheckpointAsync(connection, "t1", "h", default)).Should().Be(new FeedPosition(5, 1));
        (await Table.GetCheckpointAsync(connection, "t1", "unknown", default)).Should().Be(FeedPosition.Start);
    }

    private static async Task<Microsoft.Data.Sqlite.SqliteConnection> OpenAsync()
    {
        var connection = await Fixtures.OpenMemoryAsync();
        await connection.ExecuteAsync(
            "CREATE TABLE handlers (tenant_id TEXT NOT NULL, name TEXT NOT NULL, checkpoint_commit INTEGER NOT NULL DEFAULT 0, " +
            "checkpoint_offset INTEGER NOT NULL DEFAULT 0, lease_owner TEXT NULL, lease_expires_at INTEGER NULL, PRIMARY KEY (tenant_id, name))");
        return connection;
    }
}
