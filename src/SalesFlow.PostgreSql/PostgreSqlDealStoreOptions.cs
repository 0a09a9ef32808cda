using Npgsql;

namespace SalesFlow.PostgreSql;

/// <summary>
/// Which PostgreSQL database and schema a <see cref="PostgreSqlDealStore"/> uses. Bound from configuration section
/// <c>SalesFlow:PostgreSql</c> by <c>UsePostgreSqlStore</c> (package SalesFlow.Extensions.PostgreSql).
/// </summary>
public sealed partial class PostgreSqlDealStoreOptions
{
    /// <summary>The configuration section the options are bound from by default.</summary>
    public const string SectionName = "SalesFlow:PostgreSql";

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

    /// <summary>
    /// Gets or sets a value indicating whether PostgreSQL enforces tenants too, as a second line behind the store's own
    /// statements (which always name the tenant): the store enables row-level security on its tables, forced for the
    /// table owner too, with a policy that shows and accepts only rows of the tenant the session names, and names its
    /// tenant on every connection it uses (<c>salesflow.tenant_id</c>). A statement that forgot the tenant would then find
    /// nothing of another tenant's. Costs one round trip per operation. The role must not be a superuser or have
    /// <c>BYPASSRLS</c>, which skip policies.
    /// </summary>
    /// <value>
    /// The default value is <see langword="false"/>. Turning it off again does not remove the policies: drop them (or
    /// <c>ALTER TABLE … DISABLE ROW LEVEL SECURITY</c>) first.
    /// </value>
    public bool RowLevelSecurity { get; set; }

    /// <summary>Lists every problem of the options, empty when they are usable.</summary>
    /// <returns>The problems, each a sentence that says what to set.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (DataSource is not null && ConnectionString is not null)
        {
            problems.Add("Set either PostgreSqlDealStoreOptions.ConnectionString or PostgreSqlDealStoreOptions.DataSource, not both.");
        }
        else if (DataSource is null && string.IsNullOrWhiteSpace(ConnectionString))
        {
            problems.Add("Set PostgreSqlDealStoreOptions.ConnectionString (or DataSource).");
        }

        if (Schema is null || !SchemaPattern().IsMatch(Schema))
        {
            problems.Add(
                "PostgreSqlDealStoreOptions.Schema must be a plain identifier: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters.");
        }

        return problems;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex SchemaPattern();
}
