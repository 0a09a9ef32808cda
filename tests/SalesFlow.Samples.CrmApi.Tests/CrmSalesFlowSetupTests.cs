using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SalesFlow.PostgreSql;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Samples.CrmApi.Tests.Support;

namespace SalesFlow.Samples.CrmApi.Tests;

public sealed class CrmSalesFlowSetupTests
{
    [Fact]
    public async Task Sqlite_Default_KeepsDealsInTheConfiguredFileAcrossRestarts()
    {
        await using var first = new CrmApiFactory();
        await first.CreateClient().StartAsync("walk-in-1");
        var settings = new Dictionary<string, string?> { ["SalesFlow:Sqlite:DataSource"] = first.DatabaseFile };

        await using var second = new CrmApiFactory(settings);
        var response = await second.CreateClient().GetAsync("/api/deals/walk-in-1");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [PostgresFact]
    public async Task PostgreSql_Configured_KeepsDealsInPostgreSql()
    {
        var connectionString = TestMachine.PostgresConnectionString
            ?? throw new InvalidOperationException($"CI=true but {TestMachine.PostgresVariable} is not set: source .ci/postgres.sh before the tests.");
        var schema = "crmapi_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            await using var factory = new CrmApiFactory(new Dictionary<string, string?>
            {
                ["SalesFlow:Store"] = "postgresql",
                ["ConnectionStrings:SalesFlow"] = connectionString,
                ["SalesFlow:PostgreSql:Schema"] = schema,
            });
            var client = factory.CreateClient();

            (await client.StartAsync("walk-in-1")).StatusCode.Should().Be(HttpStatusCode.Created);
            (await client.FireAsync("walk-in-1", new { trigger = RetailTriggers.ShowsCuriosity }, ifMatch: "\"1\"")).StatusCode.Should().Be(HttpStatusCode.OK);
            (await client.FireAsync("walk-in-1", new { trigger = RetailTriggers.QuotePrice })).StatusCode.Should().Be((HttpStatusCode)422);

            factory.Services.GetRequiredService<IDealStore>().Should().BeOfType<PostgreSqlDealStore>();
            var health = await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/health");
            health!["checks"]!["store"]!["data"]!["store"]!.GetValue<string>().Should().Be(nameof(PostgreSqlDealStore));
            var funnel = await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/reports/retail-four-stage/funnel");
            funnel!["bars"]![0]!["count"]!.GetValue<int>().Should().Be(1);
            (await factory.Services.GetRequiredService<SalesFlowEngine>().GetAsync("walk-in-1")).StageId.Should().Be(RetailStages.Curious);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
