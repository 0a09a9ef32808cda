using Microsoft.Extensions.Configuration;
using SalesFlow;
using SalesFlow.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="SqliteDealStore"/> as the SalesFlow <see cref="IDealStore"/>.</summary>
public static class SqliteSalesFlowBuilderExtensions
{
    /// <summary>
    /// Keeps deals in a SQLite file (a singleton <see cref="SqliteDealStore"/>, created with the
    /// <see cref="PipelineRegistry"/> from the container). A store registered before wins.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">The database file's path; it is created when missing.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder UseSqliteStore(this ISalesFlowBuilder builder, string dataSource)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataSource);
        return builder.UseSqliteStore(options => options.DataSource = dataSource);
    }

    /// <summary>Keeps deals in a SQLite file configured in code (see <see cref="UseSqliteStore(ISalesFlowBuilder, string)"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the file or connection string and the busy timeout.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder UseSqliteStore(this ISalesFlowBuilder builder, Action<SqliteDealStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new SqliteDealStoreOptions();
        configure(options);
        return builder.UseStore(services => new SqliteDealStore(services.GetRequiredService<PipelineRegistry>(), options));
    }

    /// <summary>
    /// Keeps deals in the SQLite database of a named connection string in the host's configuration
    /// (<c>ConnectionStrings:&lt;name&gt;</c>, for example <c>"Data Source=salesflow.db"</c>), read when the store is first resolved.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionStringName">The connection string's name.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">(When resolved.) The configuration has no such connection string.</exception>
    public static ISalesFlowBuilder UseSqliteStoreFromConfiguration(this ISalesFlowBuilder builder, string connectionStringName = "SalesFlow")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionStringName);
        return builder.UseStore(services =>
        {
            var connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString(connectionStringName);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException(
                    $"SalesFlow's SQLite store needs the connection string 'ConnectionStrings:{connectionStringName}' (for example \"Data Source=salesflow.db\"); the configuration has none.");
            }

            return new SqliteDealStore(services.GetRequiredService<PipelineRegistry>(), new SqliteDealStoreOptions { ConnectionString = connectionString });
        });
    }
}
