namespace SalesFlow.Sqlite;

/// <summary>Where and how a <see cref="SqliteDealStore"/> keeps its database file.</summary>
public sealed class SqliteDealStoreOptions
{
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
    /// Gets or sets how long a write waits for another connection or process that holds the database's
    /// write lock before it fails.
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
