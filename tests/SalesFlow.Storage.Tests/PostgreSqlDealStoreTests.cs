using Npgsql;
using SalesFlow.PostgreSql;
using SalesFlow.Storage.Tests.Support;

namespace SalesFlow.Storage.Tests;

/// <summary>What only the PostgreSQL store does: options, schema versions, precision and failure handling.</summary>
public sealed class PostgreSqlDealStoreTests : IAsyncLifetime
{
    private readonly PipelineRegistry _pipelines = StorePipeline.Registry();
    private readonly List<PostgreSqlDealStore> _stores = [];
    private TemporaryPostgresSchema? _schema;

    private TemporaryPostgresSchema Schema => _schema ??= new TemporaryPostgresSchema();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("Salesflow")]
    [InlineData("sales-flow")]
    [InlineData("1abc")]
    [InlineData("x; DROP SCHEMA public")]
    [InlineData("\"quoted\"")]
    [InlineData("a_very_long_schema_name_that_goes_past_sixty_three_characters_xx")]
    public void Constructor_SchemaNotAPlainIdentifier_Throws(string schema)
    {
        var act = () => new PostgreSqlDealStore(_pipelines, new PostgreSqlDealStoreOptions { ConnectionString = "Host=localhost", Schema = schema });

        act.Should().Throw<ArgumentException>().WithMessage("*Schema*identifier*");
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => new PostgreSqlDealStore(null!, new PostgreSqlDealStoreOptions { ConnectionString = "Host=localhost" })).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new PostgreSqlDealStore(_pipelines, null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new PostgreSqlDealStore(_pipelines, new PostgreSqlDealStoreOptions())).Should().Throw<ArgumentException>().WithMessage("*ConnectionString*");
        using var dataSource = NpgsqlDataSource.Create("Host=localhost");
        FluentActions.Invoking(() => new PostgreSqlDealStore(_pipelines, new PostgreSqlDealStoreOptions { ConnectionString = "Host=localhost", DataSource = dataSource })).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Options_Defaults_AreDocumentedValues()
    {
        var options = new PostgreSqlDealStoreOptions();

        options.Schema.Should().Be("salesflow").And.Be(PostgreSqlDealStoreOptions.DefaultSchema);
        options.ConnectionString.Should().BeNull();
        options.DataSource.Should().BeNull();
    }

    [PostgresFact]
    public async Task EnsureSchemaAsync_EmptyDatabase_CreatesSchemaTablesIndexesAndVersion()
    {
        var store = Open();

        await store.EnsureSchemaAsync();

        store.Schema.Should().Be(Schema.Name);
        (await Schema.ScalarAsync($"SELECT string_agg(version::text, ',') FROM \"{Schema.Name}\".schema_version")).Should().Be("1,2,3");
        var indexes = (string)(await Schema.ScalarAsync($"SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '{Schema.Name}'"))!;
        indexes.Split(',').Should().Contain(["ix_deals_pipeline_stage", "ix_deals_follow_up", "ix_deals_last_activity", "ix_deals_owner", "deals_pkey", "deal_events_pkey"]);
    }

    [PostgresFact]
    public async Task EnsureSchemaAsync_ManyProcessesAtOnce_MigrateOnce()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => Open()).ToList();

        await Task.WhenAll(stores.Select(s => s.EnsureSchemaAsync().AsTask()));

        (await Schema.ScalarAsync($"SELECT count(*) FROM \"{Schema.Name}\".schema_version")).Should().Be((long)PostgreSqlDealStore.SchemaVersion);
    }

    [PostgresFact]
    public async Task EnsureSchemaAsync_NewerSchema_ThrowsSayingWhatToDo()
    {
        await Open().EnsureSchemaAsync();
        await Schema.ExecuteAsync($"INSERT INTO \"{Schema.Name}\".schema_version (version) VALUES (999)");

        var act = async () => await Open().GetAsync("x");

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*version 999*Upgrade the SalesFlow.PostgreSql package*");
    }

    [PostgresFact]
    public async Task TrySaveAsync_ConnectionKilledBeforeCommit_LeavesNeitherStateNorEvent()
    {
        var store = Open();
        var engine = new SalesFlowEngine(_pipelines, store);
        await engine.StartAsync(StorePipeline.Id, "broken", new StoreDealData(), "alice");
        store.BeforeCommit = async (connection, ct) =>
        {
            // As if the server or network dropped the session mid-transaction.
            await using var admin = new NpgsqlConnection(Schema.ConnectionString);
            await admin.OpenAsync(ct);
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(@pid)", admin);
            kill.Parameters.AddWithValue("pid", connection.ProcessID);
            await kill.ExecuteNonQueryAsync(ct);
        };

        var act = async () => await engine.FireAsync("broken", "toggle", new FireRequest("bob"));

        await act.Should().ThrowAsync<NpgsqlException>();
        var fresh = Open();
        (await fresh.GetAsync("broken"))!.Should().Match<Deal>(d => d.StageId == "open" && d.Version == 1);
        (await fresh.GetEventsAsync("broken")).Should().ContainSingle();
    }

    [PostgresFact]
    public async Task TrySaveAsync_ConnectionClosedBeforeCommit_CreatesNothing()
    {
        var store = Open();
        store.BeforeCommit = async (connection, _) => await connection.CloseAsync();
        var deal = DealFactory.NewDeal("never");

        var act = async () => await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);

        await act.Should().ThrowAsync<Exception>();
        (await Open().GetAsync("never")).Should().BeNull();
        (await Schema.ScalarAsync($"SELECT count(*) FROM \"{Schema.Name}\".deal_events")).Should().Be(0L);
    }

    [PostgresFact]
    public async Task TrySaveAsync_SubMicrosecondTicks_AreKeptToTheMicrosecond()
    {
        var store = Open();
        var precise = DealFactory.T0.AddTicks(1234567); // 123.4567 ms: the last tick is below PostgreSQL's microsecond
        var deal = DealFactory.NewDeal("precise", at: precise);

        await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);

        var loaded = (await store.GetAsync("precise"))!;
        loaded.CreatedAt.Offset.Should().Be(TimeSpan.Zero);
        loaded.CreatedAt.Should().BeCloseTo(precise, TimeSpan.FromMicroseconds(1));
        loaded.CreatedAt.UtcTicks.Should().Be(precise.UtcTicks / 10 * 10);
    }

    [PostgresFact]
    public async Task EventsTable_DuplicateSequence_IsRejectedByThePrimaryKey()
    {
        var store = Open();
        var deal = DealFactory.NewDeal("pk");
        await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);

        var act = async () => await Schema.ExecuteAsync(
            $"INSERT INTO \"{Schema.Name}\".deal_events (deal_id, sequence, kind, occurred_at, actor, to_stage, payload) VALUES ('pk', 1, 'Activity', now(), 'x', 'open', '{{}}')");

        (await act.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be(PostgresErrorCodes.UniqueViolation);
    }

    [PostgresFact]
    public async Task QueryAsync_ByPipelineAndStage_CanUseTheIndex()
    {
        await Open().EnsureSchemaAsync();
        await using var connection = new NpgsqlConnection(Schema.ConnectionString);
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand(
            $"EXPLAIN SELECT id FROM \"{Schema.Name}\".deals WHERE pipeline_id = 'p' AND stage_id = 's' AND id > 'a' ORDER BY id LIMIT 10", connection);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        string.Join('\n', plan).Should().Contain("ix_deals_pipeline_stage").And.NotContain("Sort");
    }

    [PostgresFact]
    public async Task Store_WithSharedDataSource_DoesNotDisposeIt()
    {
        await using var dataSource = NpgsqlDataSource.Create(Schema.ConnectionString);
        var store = new PostgreSqlDealStore(_pipelines, new PostgreSqlDealStoreOptions { DataSource = dataSource, Schema = Schema.Name });
        var deal = DealFactory.NewDeal("shared");
        await store.TrySaveAsync(deal, 0, [DealFactory.Started(deal)]);

        await store.DisposeAsync();

        await using var connection = await dataSource.OpenConnectionAsync();
        connection.State.Should().Be(System.Data.ConnectionState.Open);
    }

    private PostgreSqlDealStore Open()
    {
        var store = new PostgreSqlDealStore(_pipelines, new PostgreSqlDealStoreOptions { ConnectionString = Schema.ConnectionString, Schema = Schema.Name });
        _stores.Add(store);
        return store;
    }
}
