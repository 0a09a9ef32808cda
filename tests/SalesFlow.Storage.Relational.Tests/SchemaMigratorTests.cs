using Microsoft.Data.Sqlite;
using SalesFlow.Storage.Relational.Tests.Support;

namespace SalesFlow.Storage.Relational.Tests;

public sealed class SchemaMigratorTests
{
    private static readonly string[] Migrations =
    [
        "CREATE TABLE things (id TEXT NOT NULL PRIMARY KEY)",
        "ALTER TABLE things ADD COLUMN size INTEGER NOT NULL DEFAULT 0",
    ];

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => new SchemaMigrator(null!, "v", "c", Migrations, "P")).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new SchemaMigrator(PortableDialect.Instance, " ", "c", Migrations, "P")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new SchemaMigrator(PortableDialect.Instance, "v", "c", null!, "P")).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task MigrateAsync_EmptyDatabase_AppliesEveryMigrationInOrderAndRecordsEach()
    {
        await using var connection = await Fixtures.OpenMemoryAsync();

        var before = await MigrateAsync(connection, Migrator(Migrations));

        before.Should().Be(0);
        (await connection.ScalarAsync("SELECT group_concat(version) FROM schema_version")).Should().Be("1,2");
        (await connection.ScalarAsync("SELECT count(*) FROM pragma_table_info('things') WHERE name = 'size'")).Should().Be(1L);
    }

    [Fact]
    public async Task MigrateAsync_NewMigrationLater_AppliesOnlyIt()
    {
        await using var connection = await Fixtures.OpenMemoryAsync();
        await MigrateAsync(connection, Migrator(Migrations[..1]));

        var before = await MigrateAsync(connection, Migrator(Migrations));
        var again = await MigrateAsync(connection, Migrator(Migrations));

        before.Should().Be(1);
        again.Should().Be(2);
        (await connection.ScalarAsync("SELECT count(*) FROM schema_version")).Should().Be(2L);
    }

    [Fact]
    public async Task MigrateAsync_NewerDatabase_ThrowsNamingThePackageAndLocation()
    {
        await using var connection = await Fixtures.OpenMemoryAsync();
        await MigrateAsync(connection, Migrator(Migrations));

        var act = () => MigrateAsync(connection, Migrator(Migrations[..1]));

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*'memory'*version 2*Upgrade the Test.Store package*");
    }

    [Fact]
    public async Task MigrateAsync_FailingMigration_LeavesTheCallersTransactionToRollBack()
    {
        await using var connection = await Fixtures.OpenMemoryAsync();

        var act = () => MigrateAsync(connection, Migrator([Migrations[0], "ALTER TABLE nowhere ADD COLUMN x"]));

        await act.Should().ThrowAsync<SqliteException>();
        (await connection.ScalarAsync("SELECT count(*) FROM sqlite_master WHERE name IN ('things', 'schema_version')")).Should().Be(0L);
    }

    private static SchemaMigrator Migrator(string[] migrations) => new(
        PortableDialect.Instance,
        "schema_version",
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY)",
        migrations,
        "Test.Store");

    private static async Task<int> MigrateAsync(SqliteConnection connection, SchemaMigrator migrator)
    {
        await using var transaction = connection.BeginTransaction();
        var before = await migrator.MigrateAsync(transaction, "memory", CancellationToken.None);
        await transaction.CommitAsync();
        return before;
    }
}
