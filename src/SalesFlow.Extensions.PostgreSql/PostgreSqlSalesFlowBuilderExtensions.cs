using Microsoft.Extensions.Configuration;
using SalesFlow;
using SalesFlow.PostgreSql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="PostgreSqlDealStore"/> as the SalesFlow <see cref="IDealStore"/> and <see cref="IEventFeedStore"/>.</summary>
public static class PostgreSqlSalesFlowBuilderExtensions
{
    /// <summary>
    /// Keeps deals in PostgreSQL (a singleton <see cref="PostgreSqlDealStore"/>, created from
    /// <see cref="Microsoft.Extensions.Options.IOptions{TOptions}"/> of <see cref="PostgreSqlDealStoreOptions"/> and the <see cref="PipelineRegistry"/>
    /// from the container). The options are bound from the configuration section <c>SalesFlow:PostgreSql</c> when the
    /// container has an <see cref="IConfiguration"/>, then the arguments are applied.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="schema">The schema of the store's tables; created when missing.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another store is registered on this builder already.</exception>
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

    /// <summary>
    /// Keeps deals in PostgreSQL configured from the configuration section <c>SalesFlow:PostgreSql</c>, by the host's
    /// own <c>Configure&lt;PostgreSqlDealStoreOptions&gt;</c> and by <paramref name="configure"/>, in the order they were registered.
    /// The options are validated when the host starts (or the store is first resolved), listing every problem.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the connection string (or data source) and schema.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another store is registered on this builder already.</exception>
    public static ISalesFlowBuilder UsePostgreSqlStore(this ISalesFlowBuilder builder, Action<PostgreSqlDealStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.UsePostgreSqlStore().Services.Configure(configure);
        return builder;
    }

    /// <summary>
    /// Keeps deals in a store configured only from the configuration section <c>SalesFlow:PostgreSql</c> and the host's own
    /// <c>Configure&lt;PostgreSqlDealStoreOptions&gt;</c>; validated when the host starts (or the store is first resolved), listing every problem.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another store is registered on this builder already.</exception>
    public static ISalesFlowBuilder UsePostgreSqlStore(this ISalesFlowBuilder builder) =>
        builder.UseStore<PostgreSqlDealStoreOptions>(
            "PostgreSQL (UsePostgreSqlStore)",
            PostgreSqlDealStoreOptions.SectionName,
            static options => options.Validate(),
            static (services, options) => new PostgreSqlDealStore(services.GetRequiredService<PipelineRegistry>(), options));

    /// <summary>
    /// Keeps deals in the PostgreSQL database of a named connection string in the host's configuration
    /// (<c>ConnectionStrings:&lt;name&gt;</c>), read when the options are first used.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionStringName">The connection string's name.</param>
    /// <param name="schema">The schema of the store's tables; created when missing.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another store is registered on this builder already; (when resolved) the configuration has no such connection string.</exception>
    public static ISalesFlowBuilder UsePostgreSqlStoreFromConfiguration(
        this ISalesFlowBuilder builder, string connectionStringName = "SalesFlow", string schema = PostgreSqlDealStoreOptions.DefaultSchema)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionStringName);
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        builder.UsePostgreSqlStore();
        builder.Services.AddOptions<PostgreSqlDealStoreOptions>().Configure<IServiceProvider>((o, services) =>
        {
            var connectionString = services.GetService<IConfiguration>()?.GetConnectionString(connectionStringName);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException(
                    $"SalesFlow's PostgreSQL store needs the connection string 'ConnectionStrings:{connectionStringName}'; the configuration has none.");
            }

            o.DataSource = null;
            o.ConnectionString = connectionString;
            o.Schema = schema;
        });
        return builder;
    }
}
