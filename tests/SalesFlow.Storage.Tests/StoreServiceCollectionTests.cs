using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SalesFlow.PostgreSql;
using SalesFlow.Sqlite;
using SalesFlow.Storage.Tests.Support;
using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests;

/// <summary>UseSqliteStore / UsePostgreSqlStore through a real service collection.</summary>
[Collection(PostgresServerTests.Name)]
public sealed class StoreServiceCollectionTests : IDisposable
{
    private readonly TemporarySqliteFile _file = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _file.Dispose();
    }

    [Fact]
    public async Task UseSqliteStore_Path_RegistersOneStoreThatPersistsAcrossProviders()
    {
        await using (var provider = BuildProvider(b => b.UseSqliteStore(_file.Path)))
        {
            provider.GetRequiredService<IDealStore>().Should().BeOfType<SqliteDealStore>()
                .Which.Should().BeSameAs(provider.GetRequiredService<IDealStore>());
            var engine = provider.GetRequiredService<SalesFlowEngine>();
            await engine.StartAsync(ContractPipeline.Id, "di-1", new ContractDealData { Customer = "x" }, "alice");
            (await engine.FireAsync("di-1", "toggle", new FireRequest("alice"))).EnsureAccepted();
        }

        await using (var provider = BuildProvider(b => b.UseSqliteStore(o => o.DataSource = _file.Path)))
        {
            var deal = await provider.GetRequiredService<SalesFlowEngine>().GetAsync("di-1");
            deal.StageId.Should().Be("working");
            deal.DataAs<ContractDealData>().Customer.Should().Be("x");
        }
    }

    [Fact]
    public async Task UseSqliteStoreFromConfiguration_NamedConnectionString_UsesIt()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Deals"] = $"Data Source={_file.Path}" })
            .Build();

        await using var provider = BuildProvider(b => b.UseSqliteStoreFromConfiguration("Deals"), configuration);

        provider.GetRequiredService<IDealStore>().Should().BeOfType<SqliteDealStore>().Which.DataSource.Should().Be(_file.Path);
    }

    [Fact]
    public async Task UseSqliteStoreFromConfiguration_MissingConnectionString_SaysWhichOne()
    {
        await using var provider = BuildProvider(b => b.UseSqliteStoreFromConfiguration(), new ConfigurationBuilder().Build());

        FluentActions.Invoking(() => provider.GetRequiredService<IDealStore>()).Should().Throw<InvalidOperationException>().WithMessage("*ConnectionStrings:SalesFlow*");
    }

    [Fact]
    public void UseSqliteStore_StoreRegisteredBefore_ThrowsNamingBothStores()
    {
        var builder = new ServiceCollection().AddSalesFlow().UseInMemoryStore();

        var act = () => builder.UseSqliteStore(_file.Path);

        act.Should().Throw<InvalidOperationException>().WithMessage("*in-memory (UseInMemoryStore)*SQLite (UseSqliteStore)*");
    }

    [Fact]
    public void UsePostgreSqlStore_AfterSqlite_ThrowsNamingBothStores()
    {
        var builder = new ServiceCollection().AddSalesFlow().UseSqliteStore(_file.Path);

        var act = () => builder.UsePostgreSqlStore("Host=localhost");

        act.Should().Throw<InvalidOperationException>().WithMessage("*SQLite (UseSqliteStore)*PostgreSQL (UsePostgreSqlStore)*");
    }

    [Fact]
    public async Task UseSqliteStore_ConfigurationSection_BindsTheOptionsAndServesTheFeedFromTheSameStore()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["SalesFlow:Sqlite:DataSource"] = _file.Path,
                ["SalesFlow:Sqlite:BusyTimeout"] = "00:00:07",
            })
            .Build();

        await using var provider = BuildProvider(b => b.UseSqliteStore(), configuration);

        provider.GetRequiredService<IOptions<SqliteDealStoreOptions>>().Value.BusyTimeout.Should().Be(TimeSpan.FromSeconds(7));
        var store = provider.GetRequiredService<IDealStore>().Should().BeOfType<SqliteDealStore>().Which;
        store.DataSource.Should().Be(_file.Path);
        provider.GetRequiredService<IEventFeedStore>().Should().BeSameAs(store);
    }

    [Fact]
    public async Task UseSqliteStore_ContainerTimeProvider_LeasesExpireByIt()
    {
        var clock = new FakeTimeProvider(ContractDeals.T0);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddSalesFlow().AddPipeline(ContractPipeline.Build()).UseSqliteStore(_file.Path);
        await using var provider = services.BuildServiceProvider();
        var feed = provider.GetRequiredService<IEventFeedStore>();
        await feed.TryAcquireLeaseAsync("h", "p1", TimeSpan.FromSeconds(10));

        clock.Advance(TimeSpan.FromSeconds(11));

        (await feed.TryAcquireLeaseAsync("h", "p2", TimeSpan.FromSeconds(10))).Should().BeTrue("the lease expired by the container's clock");
    }

    [Fact]
    public async Task UseSqliteStore_HostConfiguresTheOptions_StoreIsBuiltFromThem()
    {
        var services = new ServiceCollection();
        services.Configure<SqliteDealStoreOptions>(o => o.DataSource = _file.Path);
        services.AddSalesFlow().AddPipeline(ContractPipeline.Build()).UseSqliteStore();
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IDealStore>().Should().BeOfType<SqliteDealStore>().Which.DataSource.Should().Be(_file.Path);
    }

    [Fact]
    public async Task UseSqliteStore_InvalidOptions_StartValidationListsEveryProblem()
    {
        await using var provider = BuildProvider(b => b.UseSqliteStore(o =>
        {
            o.DataSource = "a.db";
            o.ConnectionString = "Data Source=b.db";
            o.BusyTimeout = TimeSpan.FromSeconds(-1);
        }));

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().HaveCount(2).And.Contain(f => f.Contains("BusyTimeout")).And.Contain(f => f.Contains("not both"));
    }

    [Fact]
    public async Task UsePostgreSqlStore_ConfigurationSection_BindsTheOptions()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["SalesFlow:PostgreSql:ConnectionString"] = "Host=localhost;Database=none",
                ["SalesFlow:PostgreSql:Schema"] = "from_config",
            })
            .Build();

        await using var provider = BuildProvider(b => b.UsePostgreSqlStore(), configuration);

        provider.GetRequiredService<IDealStore>().Should().BeOfType<PostgreSqlDealStore>().Which.Schema.Should().Be("from_config");
    }

    [Fact]
    public async Task UsePostgreSqlStore_InvalidOptions_StartValidationListsEveryProblem()
    {
        await using var provider = BuildProvider(b => b.UsePostgreSqlStore(o => o.Schema = "Not-An-Identifier"));

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().HaveCount(2).And.Contain(f => f.Contains("ConnectionString")).And.Contain(f => f.Contains("Schema"));
    }

    [Fact]
    public void UseStoreMethods_InvalidArguments_Throw()
    {
        var builder = new ServiceCollection().AddSalesFlow();
        ISalesFlowBuilder none = null!;

        FluentActions.Invoking(() => none.UseSqliteStore("x.db")).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => builder.UseSqliteStore(" ")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => builder.UseSqliteStore((Action<SqliteDealStoreOptions>)null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => builder.UseSqliteStoreFromConfiguration("")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => none.UsePostgreSqlStore("Host=x")).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => builder.UsePostgreSqlStore("")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => builder.UsePostgreSqlStore((Action<PostgreSqlDealStoreOptions>)null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => builder.UsePostgreSqlStoreFromConfiguration(" ")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public async Task UsePostgreSqlStore_ConnectionStringAndSchema_RegistersTheStoreWithThem()
    {
        await using var provider = BuildProvider(b => b.UsePostgreSqlStore("Host=localhost;Database=none", schema: "crm_deals"));

        provider.GetRequiredService<IDealStore>().Should().BeOfType<PostgreSqlDealStore>().Which.Schema.Should().Be("crm_deals");
    }

    [PostgresFact]
    public async Task UsePostgreSqlStoreFromConfiguration_RealServer_StartsAndReadsADeal()
    {
        await using var schema = new TemporaryPostgresSchema();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:SalesFlow"] = schema.ConnectionString })
            .Build();

        await using (var provider = BuildProvider(b => b.UsePostgreSqlStoreFromConfiguration(schema: schema.Name), configuration))
        {
            var engine = provider.GetRequiredService<SalesFlowEngine>();
            await engine.StartAsync(ContractPipeline.Id, "di-pg", new ContractDealData(), "alice");
            (await engine.GetAsync("di-pg")).StageId.Should().Be("open");
        }
    }

    private static ServiceProvider BuildProvider(Action<ISalesFlowBuilder> store, IConfiguration? configuration = null)
    {
        var services = new ServiceCollection();
        if (configuration is not null)
        {
            services.AddSingleton(configuration);
        }

        store(services.AddSalesFlow().AddPipeline(ContractPipeline.Build()));
        return services.BuildServiceProvider();
    }
}
