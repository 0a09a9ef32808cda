using Npgsql;

namespace SalesFlow.PostgreSql;

/// <summary>Which PostgreSQL database and schema a <see cref="PostgreSqlDealStore"/> uses.</summary>
public sealed class PostgreSqlDealStoreOptions
{
    /// <summary>The schema used when <see cref="Schema"/> is not changed.</summary>
    public const string DefaultSchema = "salesflow";

    /// <summary>Gets or sets the Npgsql connection string.</summary>
    /// <value>The default value is <see langword="null"/>: set this or <see cref="DataSource"/>.</value>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Gets or sets an Npgsql data source to use instead of <see cref="ConnectionString"/> (for example one
    /// shared with the host application). The store does not dispose it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>
    /// Gets or sets the schema that holds the store's tables (<c>deals</c>, <c>deal_events</c>,
    /// <c>schema_version</c>); the store creates it when missing. Lower-case letters, digits and
    /// underscores, starting with a letter or underscore, at most 63 characters.
    /// </summary>
    /// <value>The default value is <c>salesflow</c>.</value>
    public string Schema { get; set; } = DefaultSchema;
}
