using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using SalesFlow.PostgreSql;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing.CrmExports;

namespace SalesFlow.Storage.Tests.Tenants;

/// <summary>
/// The CSV importer into two tenants of one SQLite file and one PostgreSQL schema (binary COPY): two exports with the same
/// deal ids and different contents both import whole, each tenant holds its own, and a second run skips per tenant.
/// </summary>
[Collection(PostgresServerTests.Name)]
public sealed class CrmImporterTenantTests
{
    // Every deal as one key (tenant, id, version, last sequence, stage).
    private const string RowsSql = "SELECT tenant_id || ' ' || id || ' ' || version || ' ' || last_sequence || ' ' || stage_id, 1 FROM {deals}";

    private static readonly PipelineDefinition Pipeline = PipelineJson.Parse(CrmExportGenerator.PipelineJson);

    [Fact]
    public async Task ImportAsync_SqliteTwoTenantsSameIds_EachImportsItsOwnAndRerunsSkipPerTenant()
    {
        using var file = new TemporarySqliteFile();
        try
        {
            await using var host = new SqliteDealStore(new PipelineRegistry(Pipeline), new SqliteDealStoreOptions { DataSource = file.Path });

            await ImportTwoTenantsAsync(host, async sql =>
            {
                await using var connection = new SqliteConnection($"Data Source={file.Path};Pooling=False");
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = sql.Replace("{deals}", "salesflow_deals", StringComparison.Ordinal).Replace("{events}", "salesflow_deal_events", StringComparison.Ordinal);
                return await ReadPairsAsync(command);
            });
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    [PostgresFact]
    public async Task ImportAsync_PostgreSqlTwoTenantsSameIds_EachImportsItsOwnAndRerunsSkipPerTenant()
    {
        await using var schema = new TemporaryPostgresSchema();
        await using var host = new PostgreSqlDealStore(new PipelineRegistry(Pipeline), new PostgreSqlDealStoreOptions { ConnectionString = schema.ConnectionString, Schema = schema.Name });

        await ImportTwoTenantsAsync(host, async sql =>
        {
            await using var connection = new NpgsqlConnection(schema.ConnectionString);
            await connection.OpenAsync();
            var tables = sql.Replace("{deals}", $"\"{schema.Name}\".deals", StringComparison.Ordinal).Replace("{events}", $"\"{schema.Name}\".deal_events", StringComparison.Ordinal);
            await using var command = new NpgsqlCommand(tables, connection);
            return await ReadPairsAsync(command);
        });
    }

    // query: SQL over {deals} and {events} giving (text, count) rows.
    private static async Task ImportTwoTenantsAsync(IDealStore host, Func<string, Task<Dictionary<string, long>>> query)
    {
        // Seeds 51 and 1051 give the same ids ("D-051-000000", ...) with different stages, dates and amounts.
        var exports = new Dictionary<string, GeneratedExport>(StringComparer.Ordinal)
        {
            [TenantStoreChecks.TenantA] = new CrmExportGenerator(51).History(700),
            [TenantStoreChecks.TenantB] = new CrmExportGenerator(1051).History(500),
        };
        var shared = exports[TenantStoreChecks.TenantA].Deals.Select(d => d.Id).Intersect(exports[TenantStoreChecks.TenantB].Deals.Select(d => d.Id), StringComparer.Ordinal).ToList();
        shared.Should().HaveCountGreaterThan(400, "the two exports share their ids");
        var mapping = ImportMapping.Parse(CrmExportGenerator.HistoryMapping);
        var first = new Dictionary<string, CrmImportResult>(StringComparer.Ordinal);

        foreach (var (tenant, export) in exports)
        {
            var result = await new CrmImporter(host.ForTenant(tenant), Pipeline, mapping, new CrmImportOptions { BatchSize = 150 }).ImportAsync(new StringReader(export.Csv));

            result.DealsImported.Should().Be(export.Deals.Count, "{0} imports every deal even where another tenant has the id", tenant);
            result.DealsSkipped.Should().Be(0);
            result.Rejected.Select(r => r.Line).Should().Equal(export.RejectedLines);
            first[tenant] = result;
        }

        var before = await CountsAsync(query);
        var rowsBefore = await query(RowsSql);
        before.Should().BeEquivalentTo(new Dictionary<string, long>
        {
            ["deals " + TenantStoreChecks.TenantA] = exports[TenantStoreChecks.TenantA].Deals.Count,
            ["deals " + TenantStoreChecks.TenantB] = exports[TenantStoreChecks.TenantB].Deals.Count,
            ["events " + TenantStoreChecks.TenantA] = exports[TenantStoreChecks.TenantA].Deals.Sum(d => d.Events),
            ["events " + TenantStoreChecks.TenantB] = exports[TenantStoreChecks.TenantB].Deals.Sum(d => d.Events),
        });
        foreach (var (tenant, export) in exports)
        {
            (await query($"SELECT stage_id, COUNT(*) FROM {{deals}} WHERE tenant_id = '{tenant}' GROUP BY stage_id"))
                .Should().BeEquivalentTo(export.Deals.GroupBy(d => d.StageId).ToDictionary(g => g.Key, g => (long)g.Count()), "{0}'s stages are its export's", tenant);
            (await query($"SELECT deal_id, COUNT(*) FROM {{events}} WHERE tenant_id = '{tenant}' GROUP BY deal_id"))
                .Should().BeEquivalentTo(export.Deals.ToDictionary(d => d.Id, d => (long)d.Events), "{0}'s histories are its export's", tenant);
        }

        // Through the public API: each tenant reads its own version of a shared id; the host's tenant has none.
        var differing = shared.Where(id => Truth(exports, TenantStoreChecks.TenantA, id).StageId != Truth(exports, TenantStoreChecks.TenantB, id).StageId).Take(20).ToList();
        differing.Should().NotBeEmpty();
        foreach (var id in differing)
        {
            foreach (var tenant in exports.Keys)
            {
                var deal = (await host.ForTenant(tenant).GetAsync(id))!;
                deal.TenantId.Should().Be(tenant);
                deal.StageId.Should().Be(Truth(exports, tenant, id).StageId);
                deal.Amount.Should().Be(Truth(exports, tenant, id).Amount);
                (await host.ForTenant(tenant).GetEventsAsync(id)).Should().HaveCount(Truth(exports, tenant, id).Events);
            }

            (await host.GetAsync(id)).Should().BeNull("the default tenant imported nothing");
        }

        // A second run of each export skips every deal of its own tenant and writes nothing.
        foreach (var (tenant, export) in exports)
        {
            var again = await new CrmImporter(host.ForTenant(tenant), Pipeline, mapping, new CrmImportOptions { BatchSize = 150 }).ImportAsync(new StringReader(export.Csv));

            again.DealsImported.Should().Be(0, "{0} has every deal already", tenant);
            again.DealsSkipped.Should().Be(first[tenant].DealsImported);
            again.Rejected.Should().Equal(first[tenant].Rejected);
        }

        (await CountsAsync(query)).Should().BeEquivalentTo(before, "re-running adds nothing to either tenant");
        (await query(RowsSql)).Should().BeEquivalentTo(rowsBefore, "re-running changes no deal of either tenant");
    }

    private static GeneratedDeal Truth(Dictionary<string, GeneratedExport> exports, string tenant, string id) =>
        exports[tenant].Deals.Single(d => d.Id == id);

    private static async Task<Dictionary<string, long>> CountsAsync(Func<string, Task<Dictionary<string, long>>> query)
    {
        var deals = await query("SELECT 'deals ' || tenant_id, COUNT(*) FROM {deals} GROUP BY tenant_id");
        var events = await query("SELECT 'events ' || tenant_id, COUNT(*) FROM {events} GROUP BY tenant_id");
        return deals.Concat(events).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
    }

    private static async Task<Dictionary<string, long>> ReadPairsAsync(System.Data.Common.DbCommand command)
    {
        var pairs = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pairs.Add(reader.GetString(0), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture));
        }

        return pairs;
    }
}
