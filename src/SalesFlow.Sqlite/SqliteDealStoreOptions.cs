using Microsoft.Data.Sqlite;

namespace SalesFlow.Sqlite;

/// <summary>
/// Where and how a <see cref="SqliteDealStore"/> keeps its database file. Bound from configuration section
/// <c>SalesFlow:Sqlite</c> by <c>UseSqliteStore</c> (package SalesFlow.Extensions.Sqlite).
/// </summary>
public sealed class SqliteDealStoreOptions
{
    /// <summary>The configuration section the options are bound from by default.</summary>
    public const string SectionName = "SalesFlow:Sqlite";

    /// <summary>Gets or sets the path of the database file; it is created when missing.</summary>
    /// <value>The default value is <see langword="null"/>: set this or <see cref="ConnectionString"/>.</value>
    public string? DataSource { get; set; }

    /// <summary>
    /// Gets or sets a full Microsoft.Data.Sqlite connection string. When set it is used as given and
    /// <see cref="DataSource"/> must be <see langword="null"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets how long a write waits for another process that holds the database's write lock before it fails.
    /// Writers of the same process never wait here: they queue asynchronously before they take the lock.
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the clock event-feed leases expire by.</summary>
    /// <value>The default value is <see langword="null"/>: the <see cref="System.TimeProvider"/> registered in the container, else the system clock.</value>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Lists every problem of the options, empty when they are usable.</summary>
    /// <returns>The problems, each a sentence that says what to set.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (BusyTimeout < TimeSpan.Zero || BusyTimeout.TotalMilliseconds > int.MaxValue)
        {
            problems.Add("SqliteDealStoreOptions.BusyTimeout must be between zero and about 24 days.");
        }

        if (ConnectionString is not null && DataSource is not null)
        {
            problems.Add("Set either SqliteDealStoreOptions.DataSource or SqliteDealStoreOptions.ConnectionString, not both.");
            return problems;
        }

        if (ConnectionString is null && string.IsNullOrWhiteSpace(DataSource))
        {
            problems.Add("Set SqliteDealStoreOptions.DataSource to the database file's path (or ConnectionString).");
            return problems;
        }

        SqliteConnectionStringBuilder builder;
        try
        {
            builder = ConnectionString is not null ? new SqliteConnectionStringBuilder(ConnectionString) : new SqliteConnectionStringBuilder { DataSource = DataSource };
        }
        catch (ArgumentException)
        {
            problems.Add("SqliteDealStoreOptions.ConnectionString is not a valid Microsoft.Data.Sqlite connection string.");
            return problems;
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource)
            || builder.Mode == SqliteOpenMode.Memory
            || string.Equals(builder.DataSource, ":memory:", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add("SqliteDealStore needs a database file; for a store in memory use InMemoryDealStore.");
        }

        return problems;
    }

    // Only for options without problems (Validate).
    internal SqliteConnectionStringBuilder ToConnectionStringBuilder()
    {
        var builder = ConnectionString is not null ? new SqliteConnectionStringBuilder(ConnectionString) : new SqliteConnectionStringBuilder { DataSource = DataSource };
        builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(BusyTimeout.TotalSeconds));
        return builder;
    }
}
