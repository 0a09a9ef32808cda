using Microsoft.Extensions.Configuration;
using SalesFlow;
using SalesFlow.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="SqliteDealStore"/> as the SalesFlow <see cref="IDealStore"/> and <see cref="IEventFeedStore"/>.</summary>
public static class SqliteSalesFlowBuilderExtensions
{
    /// <summary>
    /// Keeps deals in a SQLite file (a singleton <see cref="SqliteDealStore"/>, created from
    /// <see cref="Microsoft.Extensions.Options.IOptions{TOptions}"/> of <see cref="SqliteDealStoreOptions"/> and the <see cref="PipelineRegistry"/>
    /// from the container). The options are bound from the configuration section <c>SalesFlow:Sqlite</c> when the
    /// container has an <see cref="IConfiguration"/>, then <paramref name="dataSource"/> is applied.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">The database file's path; it is created when missing.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another store is registered on this builder already.</exception>
    public static ISalesFlowBuilder UseSqliteStore(this ISalesFlowBuilder builder, string dataSource)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataSource);
        return builder.UseSqliteStore(options =>
        {
            options.ConnectionString = null;
            options.DataSource = dataSource;
        });
    }

    /// <summary>
    /// Keeps deals in a SQLite file configured from the configuration section <c>SalesFlow:Sqlite</c>, by the host's
    /// own <c>Configure&lt;SqliteDealStoreOptions&gt;</c> and by <paramref name="configure"/>, in the order they were registered.
    /// The options are validated when the host starts (or the store is first resolved), listing every problem.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the file or connection string and the busy timeout.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another store is registered on this builder already.</exception>
    public static ISalesFlowBuilder UseSqliteStore(this ISalesFlowBuilder builder, Action<SqliteDealStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.UseSqliteStore().Services.Configure(configure);
        return builder;
    }

    /// <summary>
    /// Keeps deals in a store configured only from the configuration section <c>SalesFlow:Sqlite</c> and the host's own
    /// <c>Configure&lt;SqliteDealStoreOptions&gt;</c>; validated when the host starts (or the store is first resolved), listing every problem.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another store is registered on this builder already.</exception>
    public static ISalesFlowBuilder UseSqliteStore(this ISalesFlowBuilder builder)
    {
        builder.UseStore<SqliteDealStoreOptions>(
            "SQLite (UseSqliteStore)",
            SqliteDealStoreOptions.SectionName,
            static options => options.Validate(),
            static (services, options) => new SqliteDealStore(services.GetRequiredService<PipelineRegistry>(), options));

        // Leases expire by the container's clock unless the options name one.
        builder.Services.AddOptions<SqliteDealStoreOptions>()
            .PostConfigure<IServiceProvider>(static (options, services) => options.TimeProvider ??= services.GetService<TimeProvider>());
        return builder;
    }

    /// <summary>
    /// Keeps deals in the SQLite database of a named connection string in the host's configuration
    /// (<c>ConnectionStrings:&lt;name&gt;</c>, for example <c>"Data Source=salesflow.db"</c>), read when the options are first used.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionStringName">The connection string's name.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException">Another store is registered on this builder already; (when resolved) the configuration has no such connection string.</exception>
    public static ISalesFlowBuilder UseSqliteStoreFromConfiguration(this ISalesFlowBuilder builder, string connectionStringName = "SalesFlow")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionStringName);
        builder.UseSqliteStore();
        builder.Services.AddOptions<SqliteDealStoreOptions>().Configure<IServiceProvider>((o, services) =>
        {
            var connectionString = services.GetService<IConfiguration>()?.GetConnectionString(connectionStringName);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException(
                    $"SalesFlow's SQLite store needs the connection string 'ConnectionStrings:{connectionStringName}' (for example \"Data Source=salesflow.db\"); the configuration has none.");
            }

            o.DataSource = null;
            o.ConnectionString = connectionString;
        });
        return builder;
    }
}
