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

    [Fact]
    public async Task Import_SameExportIntoTwoTenantsOfOneFile_ImportsEveryDealIntoEachAndTheirReportsAgree()
    {
        var (csv, map, pipeline, export) = await WriteSnapshotAsync(200);

        var acme = await RunPipedAsync("import", csv, "--map", map, "--pipeline", pipeline, "--db", Db, "--tenant", "acme");
        var globex = await RunPipedAsync("import", csv, "--map", map, "--pipeline", pipeline, "--db", Db, "--tenant", "globex");
        var acmeAgain = await RunPipedAsync("import", csv, "--map", map, "--pipeline", pipeline, "--db", Db, "--tenant", "acme");
        var acmeReport = await RunPipedAsync("report", "outcomes", CrmExportGenerator.PipelineId, "--pipeline", pipeline, "--db", Db, "--format", "json", "--tenant", "acme");
        var globexReport = await RunPipedAsync("report", "outcomes", CrmExportGenerator.PipelineId, "--pipeline", pipeline, "--db", Db, "--format", "json", "--tenant", "globex");
        var defaultReport = await RunPipedAsync("report", "outcomes", CrmExportGenerator.PipelineId, "--pipeline", pipeline, "--db", Db, "--format", "json");

        acme.Exit.Should().Be(0, acme.Output);
        acme.Output.Should().Contain($"imported {export.Deals.Count} deal(s)");
        globex.Output.Should().Contain($"imported {export.Deals.Count} deal(s)").And.Contain("0 already there", "the same ids are new in another tenant");
        acmeAgain.Output.Should().Contain("imported 0 deal(s)").And.Contain($"{export.Deals.Count} already there (skipped)");
        using var acmeJson = JsonDocument.Parse(acmeReport.Output);
        using var globexJson = JsonDocument.Parse(globexReport.Output);
        using var defaultJson = JsonDocument.Parse(defaultReport.Output);
        acmeJson.RootElement.GetProperty("won").GetInt32().Should().Be(export.Deals.Count(d => d.StageId == "won"));
        acmeJson.RootElement.GetProperty("wonValue").GetDecimal().Should().Be(export.Deals.Where(d => d.StageId == "won").Sum(d => d.Amount));
        JsonElement.DeepEquals(acmeJson.RootElement, globexJson.RootElement).Should().BeTrue("the same export makes the same report in each tenant");
        (defaultJson.RootElement.GetProperty("won").GetInt32(), defaultJson.RootElement.GetProperty("lost").GetInt32()).Should().Be((0, 0), "nothing was imported into the default tenant");
    }

    [Fact]
    public async Task Report_TwoTenantsWithDifferentExports_EachCountsItsOwnDeals()
    {
        var (csv, map, pipeline, export) = await WriteSnapshotAsync(300);
        var small = new CrmExportGenerator(seed: 5).Snapshot(60);
        var smallCsv = Path.Combine(_folder, "small.csv");
        await File.WriteAllTextAsync(smallCsv, small.Csv);
        await RunPipedAsync("import", csv, "--map", map, "--pipeline", pipeline, "--db", Db, "--tenant", "acme");
        await RunPipedAsync("import", smallCsv, "--map", map, "--pipeline", pipeline, "--db", Db, "--tenant", "globex");

        var acme = await RunPipedAsync("report", "outcomes", CrmExportGenerator.PipelineId, "--pipeline", pipeline, "--db", Db, "--format", "json", "--tenant", "acme");
        var globex = await RunPipedAsync("report", "outcomes", CrmExportGenerator.PipelineId, "--pipeline", pipeline, "--db", Db, "--format", "json", "--tenant", "globex");

        using var acmeJson = JsonDocument.Parse(acme.Output);
        using var globexJson = JsonDocument.Parse(globex.Output);
        (acmeJson.RootElement.GetProperty("won").GetInt32(), acmeJson.RootElement.GetProperty("lost").GetInt32())
            .Should().Be((export.Deals.Count(d => d.StageId == "won"), export.Deals.Count(d => d.StageId == "lost")));
        (globexJson.RootElement.GetProperty("won").GetInt32(), globexJson.RootElement.GetProperty("lost").GetInt32())
            .Should().Be((small.Deals.Count(d => d.StageId == "won"), small.Deals.Count(d => d.StageId == "lost")));
        export.Deals.Count(d => d.StageId == "won").Should().NotBe(small.Deals.Count(d => d.StageId == "won"), "the two exports must differ for this test to tell tenants apart");
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
