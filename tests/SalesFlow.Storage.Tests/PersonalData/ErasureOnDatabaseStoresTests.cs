using Microsoft.Extensions.Time.Testing;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.B2B;
using SalesFlow.PostgreSql;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;

namespace SalesFlow.Storage.Tests.PersonalData;

// The engine's erasure on the database stores: the rewrite reaches the rows (read back through a new store object), and
// the SQL reports, which read the event rows themselves, add up as before.
[Collection(PostgresServerTests.Name)]
public sealed class ErasureOnDatabaseStoresTests : IAsyncLifetime
{
    private const string Name = "Jane Qx7Roe";
    private const string Email = "jane.qx7roe@example.test";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
    private readonly PipelineRegistry _pipelines = new(SalesPipelines.SevenStepB2B());
    private readonly TemporarySqliteFile _file = new();
    private readonly List<IAsyncDisposable> _stores = [];
    private TemporaryPostgresSchema? _schema;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        _file.Dispose();
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }

    [Fact]
    public async Task ErasePersonalDataAsync_Sqlite_RewritesTheRowsAndTheSqlReportsStayEqual()
    {
        var store = Track(new SqliteDealStore(_pipelines, new SqliteDealStoreOptions { DataSource = _file.Path }));

        await EraseAndCheckAsync(store, store.Reports(_time), () => Track(new SqliteDealStore(_pipelines, new SqliteDealStoreOptions { DataSource = _file.Path })));
    }

    [PostgresFact]
    public async Task ErasePersonalDataAsync_PostgreSql_RewritesTheRowsAndTheSqlReportsStayEqual()
    {
        _schema = new TemporaryPostgresSchema();
        PostgreSqlDealStore Open() => Track(new PostgreSqlDealStore(_pipelines, new PostgreSqlDealStoreOptions { ConnectionString = _schema.ConnectionString, Schema = _schema.Name }));
        var store = Open();

        await EraseAndCheckAsync(store, store.Reports(_time), Open);
    }

    private async Task EraseAndCheckAsync(IDealStore store, IDealReports sqlReports, Func<IDealStore> reopen)
    {
        var engine = new SalesFlowEngine(_pipelines, store, new SalesFlowEngineOptions { TimeProvider = _time });
        await PlantAsync(engine, "deal-1", lose: true);
        await PlantAsync(engine, "deal-2", lose: false);
        var request = new ReportRequest(SalesPipelines.SevenStepB2B().Id, ReportWindow.All);
        var outcomes = await sqlReports.OutcomesAsync(request);
        var funnel = await sqlReports.FunnelAsync(request, FunnelMode.Strict);
        var flow = await sqlReports.FlowAsync(request);
        var timeInStage = await sqlReports.TimeInStageAsync(request);

        var erasure = await engine.ErasePersonalDataAsync("deal-1", new ErasureRequest("dpo"));

        erasure.RedactedSequences.Should().NotBeEmpty();
        var reopened = reopen();
        var deal = (await reopened.GetAsync("deal-1"))!;
        deal.DataAs<B2BDeal>().DecisionMakers.Should().BeEmpty();
        deal.DataAs<B2BDeal>().CustomerFile.Should().Be(new CustomerFile());
        deal.OutcomeReason.Should().Be("[erased] retired");
        var history = await reopened.GetEventsAsync("deal-1");
        string.Join("|", history.Select(e => $"{e.Note}|{e.Reason}|{string.Join(",", e.Properties.Values)}")).Should().NotContainAny(Name, Email);
        history[^1].Activity.Should().Be(SalesFlowEngine.ErasureActivity);
        (await reopened.GetEventsAsync("deal-2")).Should().Contain(e => e.Note != null && e.Note.Contains(Name, StringComparison.Ordinal), "another deal's history is not touched");
        outcomes.Lost.Should().Be(1);
        (await sqlReports.OutcomesAsync(request)).Should().BeEquivalentTo(outcomes);
        (await sqlReports.FunnelAsync(request, FunnelMode.Strict)).Should().BeEquivalentTo(funnel);
        (await sqlReports.FlowAsync(request)).Should().BeEquivalentTo(flow);
        (await sqlReports.TimeInStageAsync(request)).Should().BeEquivalentTo(timeInStage);
    }

    private async Task PlantAsync(SalesFlowEngine engine, string dealId, bool lose)
    {
        await engine.StartAsync(SalesPipelines.SevenStepB2B().Id, dealId, new B2BDeal { Source = LeadSource.Exhibition, DecisionMakers = [Name] }, new StartRequest("alice") { Owner = "alice", Amount = 900m, Note = "Met " + Name });
        await engine.UpdateCustomerFileAsync(dealId, f => f with { Notes = ["Write to " + Email] }, "alice");
        await engine.RecordActivityAsync(dealId, new ActivityRequest("alice") { Note = "Called " + Name, Properties = new Dictionary<string, string> { ["contact"] = Email } });
        _time.Advance(TimeSpan.FromHours(5));
        (await engine.FireAsync(dealId, B2BTriggers.Contact, new FireRequest("alice") { Note = "First call with " + Name })).EnsureAccepted();
        _time.Advance(TimeSpan.FromDays(2));
        if (lose)
        {
            (await engine.FireAsync(dealId, B2BTriggers.Lose, new FireRequest("alice") { Reason = Name + " retired" })).EnsureAccepted();
        }
    }

    private T Track<T>(T store)
        where T : IAsyncDisposable
    {
        _stores.Add(store);
        return store;
    }
}
