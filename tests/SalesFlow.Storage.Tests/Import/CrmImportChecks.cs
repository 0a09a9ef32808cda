using System.Globalization;
using SalesFlow.Testing.CrmExports;

namespace SalesFlow.Storage.Tests.Import;

/// <summary>
/// Imports generated CRM exports into a database store and checks the result with SQL over the store's own tables,
/// against the generator's ground truth: nothing of the library reads the figures back.
/// </summary>
public abstract class CrmImportChecks
{
    protected static PipelineDefinition Pipeline { get; } = PipelineJson.Parse(CrmExportGenerator.PipelineJson);

    protected static PipelineRegistry Registry() => new(Pipeline);

    protected abstract string DealsTable { get; }

    protected abstract string EventsTable { get; }

    /// <summary>SQL giving the won value in cents, exactly, as one integer.</summary>
    protected abstract string WonCentsSql { get; }

    protected abstract Task<IDealStore> OpenAsync();

    protected abstract Task<List<object?[]>> QueryAsync(string sql);

    /// <summary>Reads every row of a query's result, nulls as <see langword="null"/>.</summary>
    protected static async Task<List<object?[]>> ReadRowsAsync(System.Data.Common.DbCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }


    protected abstract DateTimeOffset ToTime(object value);

    protected async Task ImportMatchesTheTruthAsync(GeneratedExport export, string mapping, string actor)
    {
        var store = await OpenAsync();
        var importer = new CrmImporter(store, Pipeline, ImportMapping.Parse(mapping), new CrmImportOptions { BatchSize = 400 });

        var result = await importer.ImportAsync(new StringReader(export.Csv));

        result.DealsImported.Should().Be(export.Deals.Count);
        result.Rejected.Select(r => r.Line).Should().Equal(export.RejectedLines);
        await CheckFiguresAsync(export, actor);
    }

    protected async Task SecondRunChangesNothingAsync(GeneratedExport export, string mapping)
    {
        var store = await OpenAsync();
        var importer = new CrmImporter(store, Pipeline, ImportMapping.Parse(mapping), new CrmImportOptions { BatchSize = 300 });
        var first = await importer.ImportAsync(new StringReader(export.Csv));
        var before = await FingerprintAsync();

        var second = await importer.ImportAsync(new StringReader(export.Csv));

        second.DealsImported.Should().Be(0);
        second.DealsSkipped.Should().Be(first.DealsImported);
        second.Rejected.Should().Equal(first.Rejected);
        (await FingerprintAsync()).Should().Equal(before);
        before[0].Should().Be(string.Create(CultureInfo.InvariantCulture, $"{export.Deals.Count} {export.Deals.Sum(d => d.Events)}"));
    }

    private async Task CheckFiguresAsync(GeneratedExport export, string actor)
    {
        var won = export.Deals.Where(d => d.StageId == "won").ToList();

        var stages = await QueryAsync($"SELECT stage_id, COUNT(*) FROM {DealsTable} GROUP BY stage_id");
        stages.ToDictionary(r => (string)r[0]!, r => Convert.ToInt32(r[1], CultureInfo.InvariantCulture))
            .Should().BeEquivalentTo(export.Deals.GroupBy(d => d.StageId).ToDictionary(g => g.Key, g => g.Count()));

        var outcomes = await QueryAsync($"SELECT outcome, COUNT(*) FROM {DealsTable} GROUP BY outcome");
        outcomes.ToDictionary(r => (string)r[0]!, r => Convert.ToInt32(r[1], CultureInfo.InvariantCulture))
            .Should().BeEquivalentTo(new Dictionary<string, int>
            {
                ["Won"] = won.Count,
                ["Lost"] = export.Deals.Count(d => d.StageId == "lost"),
                ["Open"] = export.Deals.Count(d => d.StageId is not ("won" or "lost")),
            });

        var cents = await QueryAsync(WonCentsSql);
        Convert.ToInt64(cents[0][0], CultureInfo.InvariantCulture).Should().Be((long)(won.Sum(d => d.Amount) * 100));

        var owners = await QueryAsync($"SELECT owner, COUNT(*) FROM {DealsTable} WHERE outcome = 'Won' GROUP BY owner");
        owners.ToDictionary(r => (string)r[0]!, r => Convert.ToInt32(r[1], CultureInfo.InvariantCulture))
            .Should().BeEquivalentTo(won.GroupBy(d => d.Owner).ToDictionary(g => g.Key, g => g.Count()));

        var spans = (await QueryAsync($"SELECT deal_id, MIN(occurred_at), MAX(occurred_at), COUNT(*) FROM {EventsTable} GROUP BY deal_id"))
            .ToDictionary(r => (string)r[0]!, r => (First: ToTime(r[1]!), Last: ToTime(r[2]!), Count: Convert.ToInt32(r[3], CultureInfo.InvariantCulture)));
        spans.Should().HaveCount(export.Deals.Count);
        foreach (var deal in export.Deals)
        {
            spans[deal.Id].Should().Be((deal.StartedAt, deal.LastMovedAt, deal.Events), deal.Id);
        }

        var actors = await QueryAsync($"SELECT actor, COUNT(*) FROM {EventsTable} GROUP BY actor");
        actors.Should().ContainSingle().Which[0].Should().Be(actor);
    }

    private async Task<List<string>> FingerprintAsync()
    {
        var counts = await QueryAsync($"SELECT (SELECT COUNT(*) FROM {DealsTable}), (SELECT COUNT(*) FROM {EventsTable})");
        var versions = await QueryAsync($"SELECT id, version, last_sequence, stage_id FROM {DealsTable} ORDER BY id");
        return
        [
            string.Create(CultureInfo.InvariantCulture, $"{counts[0][0]} {counts[0][1]}"),
            .. versions.Select(r => string.Join(' ', r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))),
        ];
    }
}
