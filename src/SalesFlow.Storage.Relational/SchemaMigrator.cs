using System.Data.Common;
using System.Globalization;

namespace SalesFlow.Storage.Relational;

/// <summary>
/// A store's schema as ordered, versioned migrations, and the runner that brings a database up to date: migration
/// <c>n</c> brings a schema from version <c>n - 1</c> to <c>n</c>, and each applied version is recorded in a version
/// table. The SQL is the store's own; the runner is the same for every store.
/// </summary>
public sealed class SchemaMigrator
{
    private readonly RelationalDialect _dialect;

    /// <summary>Initializes a new instance of the <see cref="SchemaMigrator"/> class.</summary>
    /// <param name="dialect">The dialect (parameter marker).</param>
    /// <param name="versionTable">The version table's (qualified) name; it has an integer column <c>version</c>.</param>
    /// <param name="createVersionTable">Creates the version table when missing (<c>CREATE TABLE IF NOT EXISTS …</c>).</param>
    /// <param name="migrations">The migrations, oldest first: element <c>n - 1</c> is the SQL of version <c>n</c>.</param>
    /// <param name="packageName">The store package's name, for the message when a database is newer than it.</param>
    /// <param name="recordVersion">
    /// Records an applied version, with the parameter <c>version</c>; <see langword="null"/> for
    /// <c>INSERT INTO</c> <paramref name="versionTable"/> <c>(version) VALUES (…)</c>.
    /// </param>
    public SchemaMigrator(RelationalDialect dialect, string versionTable, string createVersionTable, IReadOnlyList<string> migrations, string packageName, string? recordVersion = null)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentException.ThrowIfNullOrWhiteSpace(versionTable);
        ArgumentException.ThrowIfNullOrWhiteSpace(createVersionTable);
        ArgumentNullException.ThrowIfNull(migrations);
        ArgumentException.ThrowIfNullOrWhiteSpace(packageName);
        _dialect = dialect;
        VersionTable = versionTable;
        CreateVersionTable = createVersionTable;
        Migrations = migrations;
        PackageName = packageName;
        RecordVersion = recordVersion ?? "INSERT INTO " + versionTable + " (version) VALUES (" + dialect.Parameter("version") + ")";
    }

    /// <summary>Gets the SQL that records an applied version.</summary>
    public string RecordVersion { get; }

    /// <summary>Gets the version table's name.</summary>
    public string VersionTable { get; }

    /// <summary>Gets the SQL that creates the version table when missing.</summary>
    public string CreateVersionTable { get; }

    /// <summary>Gets the migrations, oldest first.</summary>
    public IReadOnlyList<string> Migrations { get; }

    /// <summary>Gets the store package's name.</summary>
    public string PackageName { get; }

    /// <summary>Gets the schema version the migrations bring a database to.</summary>
    public int LatestVersion => Migrations.Count;

    /// <summary>
    /// Applies every migration the database does not have yet, in order, each recorded in the version table, in the
    /// caller's transaction (the caller commits, after any work of its own such as taking a lock first).
    /// </summary>
    /// <param name="transaction">The open transaction to migrate in.</param>
    /// <param name="location">Where the schema is (a file, a schema name), for the message when it is newer than this package.</param>
    /// <param name="cancellationToken">Cancels the migration.</param>
    /// <returns>The version the database had before.</returns>
    /// <exception cref="InvalidOperationException">The database holds a newer schema than the migrations know.</exception>
    public async Task<int> MigrateAsync(DbTransaction transaction, string location, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var connection = transaction.Connection ?? throw new ArgumentException("The transaction has no connection.", nameof(transaction));
        await ExecuteAsync(connection, transaction, CreateVersionTable, null, cancellationToken).ConfigureAwait(false);
        int current;
        using (var read = Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM " + VersionTable))
        {
            current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The SalesFlow schema in '{location}' is version {current}, newer than this {PackageName} supports ({LatestVersion}). Upgrade the {PackageName} package.");
        }

        for (var version = current + 1; version <= LatestVersion; version++)
        {
            await ExecuteAsync(connection, transaction, Migrations[version - 1], null, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, RecordVersion, version, cancellationToken).ConfigureAwait(false);
        }

        return current;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, int? version, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, sql);
        if (version is { } v)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = _dialect.Parameter("version");
            _dialect.SetValue(parameter, StoredValueKind.SmallNumber, v);
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
