using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SalesFlow.PostgreSql;
using SalesFlow.Samples.CrmApi.Http;
using SalesFlow.Sqlite;

namespace SalesFlow.Samples.CrmApi.Hosting;

/// <summary>
/// Wires SalesFlow into the web host: the built-in pipelines, the store chosen by <c>SalesFlow:Store</c> (<c>sqlite</c>, the
/// default, or <c>postgresql</c>), tenants (<see cref="CrmTenancy"/>), the override rule, the <c>If-Match</c> hook, the store's health check and telemetry.
/// </summary>
internal static class CrmSalesFlowSetup
{
    public const string StoreKey = "SalesFlow:Store";
    public const string DefaultSqliteFile = "App_Data/salesflow.db";

    public static IServiceCollection AddCrmSalesFlow(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddHttpContextAccessor();
        var salesFlow = services.AddSalesFlow(configuration.GetSection("SalesFlow"))
            .AddBuiltInPipelines()
            .AddHook<IfMatchHook>();

        var store = configuration[StoreKey] is { Length: > 0 } configured ? configured.Trim().ToLowerInvariant() : "sqlite";
        switch (store)
        {
            case "sqlite":
                salesFlow.UseSqliteStore();
                // A configured relative path (SalesFlow:Sqlite:DataSource) and the default file live under the content root.
                services.AddOptions<SqliteDealStoreOptions>().PostConfigure(o =>
                {
                    if (o.ConnectionString is null)
                    {
                        o.DataSource = Path.GetFullPath(Path.Combine(environment.ContentRootPath, o.DataSource ?? DefaultSqliteFile));
                        TryCreateDirectory(Path.GetDirectoryName(o.DataSource)!);
                    }
                });
                break;
            case "postgresql":
                salesFlow.UsePostgreSqlStore();
                services.AddOptions<PostgreSqlDealStoreOptions>().PostConfigure(o =>
                {
                    if (o.ConnectionString is null && o.DataSource is null && configuration.GetConnectionString("SalesFlow") is { Length: > 0 } connectionString)
                    {
                        o.ConnectionString = connectionString;
                    }
                });
                break;
            default:
                throw new InvalidOperationException($"{StoreKey} must be 'sqlite' or 'postgresql', not '{configuration[StoreKey]}'.");
        }

        // Who may override a guard comes from configuration (SalesFlow:OverrideRoles, "manager" in appsettings.json): the
        // endpoints hand the signed-in user to the engine with every request, and the engine answers 403's reason.
        services.AddCrmAuthentication(configuration);
        services.AddCrmTenants(configuration);
        services.AddOptions<SalesFlowEngineOptions>().Configure<IHttpContextAccessor>((o, http) => o.CurrentUser = () => http.HttpContext?.User);

        services.AddOptions<DemoDealsOptions>().Bind(configuration.GetSection(DemoDealsOptions.SectionName));
        services.AddHostedService<DemoDeals>();

        services.AddHealthChecks().AddCheck<StoreHealthCheck>("store", tags: ["ready"]);

        var telemetry = services.AddOpenTelemetry()
            .WithMetrics(m => m.AddMeter(SalesFlowDiagnostics.MeterName, "Microsoft.AspNetCore.Hosting"))
            // The request's own span is recorded too: SalesFlow's spans are its children, and a parent-based sampler drops
            // children of a parent nobody records.
            .WithTracing(t => t.AddSource(SalesFlowDiagnostics.ActivitySourceName, "Microsoft.AspNetCore"));
        if (configuration.GetValue<bool>("Telemetry:ConsoleExporter"))
        {
            telemetry.WithMetrics(m => m.AddConsoleExporter()).WithTracing(t => t.AddConsoleExporter());
        }

        return services;
    }

    // A folder that cannot be made is left to the store to report (at the first query, and in /health).
    private static void TryCreateDirectory(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Healthy when the store answers a one-deal query.</summary>
internal sealed class StoreHealthCheck(IDealStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["store"] = store.GetType().Name };
        try
        {
            await store.QueryAsync(new DealQuery { Limit = 1 }, cancellationToken);
            return HealthCheckResult.Healthy("The deal store answers.", data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The deal store does not answer.", ex, data);
        }
    }
}
