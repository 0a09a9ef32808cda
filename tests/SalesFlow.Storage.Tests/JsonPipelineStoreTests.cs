using Microsoft.Data.Sqlite;
using SalesFlow.PostgreSql;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;

namespace SalesFlow.Storage.Tests;

/// <summary>
/// A pipeline defined only in JSON, on schemaless <see cref="JsonDealData"/>, on the real SQL stores: deals start, are
/// refused and moved by condition guards, read back from a second store object, and migrate from version 1 to 2.
/// </summary>
[Collection(PostgresServerTests.Name)]
public sealed class JsonPipelineStoreTests : IAsyncLifetime
{
    private const string Version1 = """
        { "format": 1, "id": "loans", "version": 1, "name": "Loans",
          "stages": [
            { "id": "application", "guidance": "Collect the documents.", "winProbability": 0.2 },
            { "id": "review", "guidance": "Check the income.", "winProbability": 0.5 },
            { "id": "approved", "kind": "won" }, { "id": "declined", "kind": "lost" } ],
          "transitions": [
            { "trigger": "submit", "from": "application", "to": "review", "guards": [
              { "code": "documents.present", "reason": "No documents", "when": { "path": "documents", "present": true } } ] },
            { "trigger": "approve", "from": "review", "to": "approved", "guards": [
              { "code": "income.enough", "reason": "Income below 30000", "when": { "path": "applicant.income", "atLeast": 30000 } } ] },
            { "trigger": "decline", "from": ["application", "review"], "to": "declined" } ] }
        """;

    // Version 2 renames 'review' to 'underwriting' and asks for a credit check before approval.
    private static readonly string Version2 = Version1
        .Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal)
        .Replace("\"review\"", "\"underwriting\"", StringComparison.Ordinal)
        .Replace("""{ "code": "income.enough", """, """{ "code": "credit.checked", "reason": "No credit check", "when": { "path": "credit.checked", "equals": true } }, { "code": "income.enough", """, StringComparison.Ordinal);

    private readonly PipelineRegistry _pipelines = new(PipelineJson.Parse(Version1), PipelineJson.Parse(Version2));
    private readonly List<IAsyncDisposable> _disposables = [];
    private TemporarySqliteFile? _file;
    private TemporaryPostgresSchema? _schema;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        _file?.Dispose();
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }

    [Fact]
    public Task Sqlite_JsonPipelineDeals_MoveReadBackAndMigrate()
    {
        _file = new TemporarySqliteFile();
        return RunAsync(() => Track(new SqliteDealStore(_pipelines, new SqliteDealStoreOptions { DataSource = _file.Path })));
    }

    [PostgresFact]
    public Task PostgreSql_JsonPipelineDeals_MoveReadBackAndMigrate()
    {
        _schema = new TemporaryPostgresSchema();
        return RunAsync(() => Track(new PostgreSqlDealStore(_pipelines, new PostgreSqlDealStoreOptions { ConnectionString = _schema.ConnectionString, Schema = _schema.Name })));
    }

    private async Task RunAsync(Func<IDealStore> openStore)
    {
        var engine = new SalesFlowEngine(_pipelines, openStore());
        await engine.StartAsync("loans", "l1", JsonDealData.Parse("""{ "applicant": { "income": 25000, "name": "Zoë" } }"""), new StartRequest("alice") { PipelineVersion = 1 });
        await engine.StartAsync("loans", "l2", JsonDealData.Parse("""{ "documents": ["payslip"] }"""), new StartRequest("alice") { PipelineVersion = 1 });

        (await engine.FireAsync("l1", "submit", new FireRequest("alice"))).UnmetGuards.Select(g => g.Code).Should().Equal("documents.present");
        await engine.UpdateAsync<JsonDealData>("l1", d => d.With("documents", System.Text.Json.Nodes.JsonNode.Parse("[\"id card\"]")), "alice");
        (await engine.FireAsync("l1", "submit", new FireRequest("alice"))).Accepted.Should().BeTrue();
        (await engine.FireAsync("l1", "approve", new FireRequest("alice"))).UnmetGuards.Select(g => g.Code).Should().Equal("income.enough");
        (await engine.FireAsync("l2", "submit", new FireRequest("alice"))).Accepted.Should().BeTrue();

        // A second store object reads what the first wrote: the schemaless data comes back as it was.
        var reader = new SalesFlowEngine(_pipelines, openStore());
        var l1 = await reader.GetAsync("l1");
        l1.StageId.Should().Be("review");
        var data = (JsonDealData)l1.Data;
        data.Get("applicant.name")!.Value.GetString().Should().Be("Zoë");
        data.Get("documents")!.Value[0].GetString().Should().Be("id card");

        var migration = new PipelineMigration("loans", 1, 2).MapStage("review", "underwriting");
        var plan = await reader.PlanMigrationAsync(migration);
        plan.ToMigrate.Select(d => (d.DealId, d.ToStage)).Should().BeEquivalentTo(new[] { ("l1", "underwriting"), ("l2", "underwriting") });
        (await reader.GetAsync("l1")).PipelineVersion.Should().Be(1, "a dry run writes nothing");

        var result = await reader.ApplyMigrationAsync(migration, "admin");
        result.Migrated.Should().Be(2);
        (await reader.ApplyMigrationAsync(migration, "admin")).Migrated.Should().Be(0, "applying again changes nothing");

        var migrated = await engine.GetAsync("l1");
        migrated.PipelineVersion.Should().Be(2);
        migrated.StageId.Should().Be("underwriting");
        (await engine.GetHistoryAsync("l1")).Select(e => e.Kind).Should().EndWith(DealEventKind.Migrated);

        // Version 2's guards now apply: the credit check is asked for, and meeting it (with enough income) approves.
        (await engine.FireAsync("l1", "approve", new FireRequest("alice"))).UnmetGuards.Select(g => g.Code).Should().Equal("credit.checked", "income.enough");
        await engine.UpdateAsync<JsonDealData>("l1", d => d.With("credit.checked", true).With("applicant.income", 52000), "alice");
        (await engine.FireAsync("l1", "approve", new FireRequest("alice"))).Deal!.StageId.Should().Be("approved");
    }

    private T Track<T>(T store)
        where T : IAsyncDisposable
    {
        _disposables.Add(store);
        return store;
    }
}
