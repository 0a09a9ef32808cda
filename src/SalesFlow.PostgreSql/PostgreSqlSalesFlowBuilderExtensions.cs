using Microsoft.Extensions.Configuration;
using SalesFlow;
using SalesFlow.PostgreSql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="PostgreSqlDealStore"/> as the SalesFlow <see cref="IDealStore"/>.</summary>
public static class PostgreSqlSalesFlowBuilderExtensions
{
    /// <summary>
    /// Keeps deals in PostgreSQL (a singleton <see cref="PostgreSqlDealStore"/>, created with the
    /// <see cref="PipelineRegistry"/> from the container). A store registered before wins.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="schema">The schema of the store's tables; created when missing.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder UsePostgreSqlStore(this ISalesFlowBuilder builder, string connectionString, string schema = PostgreSqlDealStoreOptions.DefaultSchema)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        return builder.UsePostgreSqlStore(options =>
        {
            options.ConnectionString = connectionString;
            options.Schema = schema;
        });
    }

    /// <summary>Keeps deals in PostgreSQL configured in code (see <see cref="UsePostgreSqlStore(ISalesFlowBuilder, string, string)"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the connection string (or data source) and schema.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder UsePostgreSqlStore(this ISalesFlowBuilder builder, Action<PostgreSqlDealStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new PostgreSqlDealStoreOptions();
        configure(options);
        return builder.UseStore(services => new PostgreSqlDealStore(services.GetRequiredService<PipelineRegistry>(), options));
    }

    /// <summary>
    /// Keeps deals in the PostgreSQL database of a named connection string in the host's configuration
    /// (<c>ConnectionStrings:&lt;name&gt;</c>), read when the store is first resolved.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionStringName">The connection string's name.</param>
    /// <param name="schema">The schema of the store's tables; created when missing.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">(When resolved.) The configuration has no such connection string.</exception>
    public static ISalesFlowBuilder UsePostgreSqlStoreFromConfiguration(
        this ISalesFlowBuilder builder, string connectionStringName = "SalesFlow", string schema = PostgreSqlDealStoreOptions.DefaultSchema)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionStringName);
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        return builder.UseStore(services =>
        {
            var connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString(connectionStringName);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException(
                    $"SalesFlow's PostgreSQL store needs the connection string 'ConnectionStrings:{connectionStringName}'; the configuration has none.");
            }

            return new PostgreSqlDealStore(
                services.GetRequiredService<PipelineRegistry>(),
                new PostgreSqlDealStoreOptions { ConnectionString = connectionString, Schema = schema });
        });
    }
}
