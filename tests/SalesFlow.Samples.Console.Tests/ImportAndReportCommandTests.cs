using System.Text.Json;
using SalesFlow.Samples.Console;
using SalesFlow.Samples.Console.Cli;
using SalesFlow.Testing.CrmExports;

namespace SalesFlow.Samples.Console.Tests;

/// <summary>The import and report commands on a real SQLite file, fed by the published CRM export generator.</summary>
public sealed class ImportAndReportCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salesflow-cli-import-").FullName;

    private string Db => Path.Combine(_folder, "crm.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static async Task<(int Exit, string Output)> RunPipedAsync(params string[] args)
    {
        var writer = new StringWriter();
        var exit = await SalesFlowCli.RunAsync(args, Output.ForProcess(writer, redirected: true));
        return (exit, writer.ToString());
    }

    private async Task<(string Csv, string Map, string Pipeline, GeneratedExport Export)> WriteSnapshotAsync(int deals)
    {
        var export = new CrmExportGenerator(seed: 11).Snapshot(deals);
        var csv = Path.Combine(_folder, "opportunities.csv");
        var map = Path.Combine(_folder, "mapping.json");
        var pipeline = Path.Combine(_folder, "pipeline.json");
        await File.WriteAllTextAsync(csv, export.Csv);
        await File.WriteAllTextAsync(map, CrmExportGenerator.SnapshotMapping);
        await File.WriteAllTextAsync(pipeline, CrmExportGenerator.PipelineJson);
        return (csv, map, pipeline, export);
    }

    [Fact]
    public async Task Import_SnapshotExport_ImportsTheDealsAndListsRejectedRowsByLine()
    {
        var (csv, map, pipeline, export) = await WriteSnapshotAsync(300);

        var (exit, output) = await RunPipedAsync("import", csv, "--map", map, "--pipeline", pipeline, "--db", Db);
        var again = await RunPipedAsync("import", csv, "--map", map, "--pipeline", pipeline, "--db", Db);

        exit.Should().Be(0, output);
        output.Should().Contain($"imported {export.Deals.Count} deal(s)");
        foreach (var line in export.RejectedLines)
        {
            output.Should().MatchRegex($@"│ {line}\s+│", "rejected row {0} is listed with its line number", line);
        }

        again.Output.Should().Contain("imported 0 deal(s)").And.Contain($"{export.Deals.Count} already there (skipped)");
    }

    [Fact]
    public async Task Report_AfterImport_AgreesWithTheExportsGroundTruth()
    {
        var (csv, map, pipeline, export) = await WriteSnapshotAsync(400);
        await RunPipedAsync("import", csv, "--map", map, "--pipeline", pipeline, "--db", Db);

        var (exit, output) = await RunPipedAsync("report", "outcomes", CrmExportGenerator.PipelineId, "--pipeline", pipeline, "--db", Db, "--format", "json");

        exit.Should().Be(0, output);
        using var json = JsonDocument.Parse(output);
        json.RootElement.GetProperty("won").GetInt32().Should().Be(export.Deals.Count(d => d.StageId == "won"));
        json.RootElement.GetProperty("lost").GetInt32().Should().Be(export.Deals.Count(d => d.StageId == "lost"));
        json.RootElement.GetProperty("wonValue").GetDecimal().Should().Be(export.Deals.Where(d => d.StageId == "won").Sum(d => d.Amount));
    }

    [Theory]
    [InlineData("funnel")]
    [InlineData("stages")]
    [InlineData("flow")]
    [InlineData("outcomes")]
    [InlineData("owners")]
    [InlineData("idle")]
    public async Task Report_EveryReport_WritesATableJsonAndCsv(string report)
    {
        await RunPipedAsync("simulate", "--deals", "150", "--db", Db);

        var table = await RunPipedAsync("report", report, "--db", Db);
        var json = await RunPipedAsync("report", report, "--db", Db, "--format", "json");
        var csv = await RunPipedAsync("report", report, "--db", Db, "--format", "csv");

        table.Exit.Should().Be(0, table.Output);
        table.Output.Should().Contain($"{report}: b2b-seven-step");
        FluentActions.Invoking(() => JsonDocument.Parse(json.Output)).Should().NotThrow(json.Output);
        var lines = csv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().NotBeEmpty();
        lines.Select(l => l.Split(',').Length).Distinct().Should().HaveCount(1, "every CSV row has the header's columns");
    }

    [Fact]
    public async Task Report_FunnelCsv_CountsEveryStartedDealInTheFirstBar()
    {
        await RunPipedAsync("simulate", "--deals", "90", "--db", Db);

        var (exit, output) = await RunPipedAsync("report", "funnel", "--db", Db, "--format", "csv", "--mode", "strict");

        exit.Should().Be(0);
        output.Split('\n')[1].Should().StartWith("Prospecting (lead mining),90,");
    }

    [Theory]
    [InlineData("report", "velocity")]
    [InlineData("report", "funnel", "--mode", "loose")]
    [InlineData("report", "funnel", "--format", "xml")]
    [InlineData("report", "funnel", "--from", "yesterday-ish")]
    [InlineData("report", "funnel", "--from", "2026-02-01", "--to", "2026-01-01")]
    [InlineData("import", "x.csv")]
    [InlineData("import", "x.csv", "--map")]
    public async Task BadArguments_ExitWithTwoAndTouchNoStore(params string[] args)
    {
        var (exit, output) = await RunPipedAsync([.. args, "--db", Db]);

        exit.Should().Be(SalesFlowCli.UsageError, output);
        File.Exists(Db).Should().BeFalse();
    }

    [Fact]
    public async Task Import_MappingWithErrors_ListsThemAndExitsWithOne()
    {
        var (csv, _, pipeline, _) = await WriteSnapshotAsync(10);
        var map = Path.Combine(_folder, "bad-mapping.json");
        await File.WriteAllTextAsync(map, """{ "shape": "sideways" }""");

        var (exit, output) = await RunPipedAsync("import", csv, "--map", map, "--pipeline", pipeline, "--db", Db);

        exit.Should().Be(1);
        output.Should().Contain("has errors").And.Contain("line 1");
    }
}
