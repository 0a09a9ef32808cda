using Microsoft.Data.Sqlite;
using SalesFlow.Storage.Relational.Tests.Support;

namespace SalesFlow.Storage.Relational.Tests;

public sealed class DealRowMapperTests
{
    private readonly DealRowMapper _mapper = new(Fixtures.Pipelines(), PortableDialect.Instance);

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        FluentActions.Invoking(() => new DealRowMapper(null!, PortableDialect.Instance)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new DealRowMapper(Fixtures.Pipelines(), null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void ReadDeal_RowOfGetDealValues_RoundTripsEveryField()
    {
        var deal = Fixtures.Deal("deal-1", owner: "o-7") with { PreviousStageId = "before", OutcomeReason = "why", StageEnteredSequence = 4 };
        var values = _mapper.GetDealValues(deal, _mapper.SerializeData(deal));
        using var reader = Fixtures.Reader(DealColumns.All, values);
        reader.Read();

        var read = _mapper.ReadDeal(reader);

        read.Should().BeEquivalentTo(deal, o => o.Excluding(d => d.Data));
        read.Data.Should().BeEquivalentTo(deal.Data);
        read.CreatedAt.UtcTicks.Should().Be(deal.CreatedAt.UtcTicks);
        values.Should().HaveCount(DealColumns.All.Count);
    }

    [Fact]
    public void GetDealValues_PortableDialect_StoresTicksExactAmountTextAndSortedChecklist()
    {
        var deal = Fixtures.Deal("d");

        var values = _mapper.GetDealValues(deal, "{}");

        values[DealColumns.All.ToList().FindIndex(c => c.Name == "created_at")].Should().Be(deal.CreatedAt.UtcTicks);
        values[DealColumns.All.ToList().FindIndex(c => c.Name == "amount")].Should().Be("1200.50");
        values[DealColumns.All.ToList().FindIndex(c => c.Name == "checklist")].Should().Be("[\"a\",\"b\"]");
        values[DealColumns.All.ToList().FindIndex(c => c.Name == "owner")].Should().BeNull();
    }

    [Fact]
    public void ReadDeal_DataJsonThatDoesNotParse_ThrowsNamingTheDealNotTheContent()
    {
        var deal = Fixtures.Deal("broken");
        var values = _mapper.GetDealValues(deal, "{\"Customer\": \"top-secret");
        using var reader = Fixtures.Reader(DealColumns.All, values);
        reader.Read();

        var act = () => _mapper.ReadDeal(reader);

        var thrown = act.Should().Throw<DealDataDamagedException>().Which;
        thrown.DealId.Should().Be("broken");
        thrown.Message.Should().Contain("'broken'").And.NotContain("top-secret");
    }

    [Fact]
    public void ReadDeal_UnknownStoredOutcome_ThrowsDamaged()
    {
        var values = _mapper.GetDealValues(Fixtures.Deal("odd"), "{}");
        values[DealColumns.All.ToList().FindIndex(c => c.Name == "outcome")] = "Maybe";
        using var reader = Fixtures.Reader(DealColumns.All, values);
        reader.Read();

        FluentActions.Invoking(() => _mapper.ReadDeal(reader)).Should().Throw<DealDataDamagedException>().Which.DealId.Should().Be("odd");
    }

    [Fact]
    public void ReadEvent_RowOfGetEventValues_RoundTrips()
    {
        var e = Fixtures.Started(Fixtures.Deal("d"));
        using var reader = Fixtures.Reader(EventColumns.All, _mapper.GetEventValues(e, "t1"));
        reader.Read();

        _mapper.ReadEvent(reader).Should().BeEquivalentTo(e);
    }

    [Fact]
    public void ReadEvent_PayloadThatDoesNotParse_ThrowsNamingTheDealAndSequence()
    {
        var values = _mapper.GetEventValues(Fixtures.Started(Fixtures.Deal("d")), "t1");
        values[EventColumns.All.Select(c => c.Name).ToList().IndexOf("payload")] = "{\"note\": top-secret";
        using var reader = Fixtures.Reader(EventColumns.All, values);
        reader.Read();

        var thrown = FluentActions.Invoking(() => _mapper.ReadEvent(reader)).Should().Throw<DealDataDamagedException>().Which;
        thrown.Message.Should().Contain("'d'").And.Contain("event 1").And.NotContain("top-secret");
    }

    [Fact]
    public void ReadFeedEvent_PositionPipelineAndEvent_AreRead()
    {
        var e = Fixtures.Started(Fixtures.Deal("d"));
        var columns = new[] { new StoredColumn("c", StoredValueKind.Number), new StoredColumn("o", StoredValueKind.Number), new StoredColumn("p", StoredValueKind.Text) }
            .Concat(EventColumns.All).ToList();
        using var reader = Fixtures.Reader(columns, [7L, 2L, Fixtures.PipelineId, .. _mapper.GetEventValues(e, "t1")]);
        reader.Read();

        var feed = _mapper.ReadFeedEvent(reader);

        feed.Position.Should().Be(new FeedPosition(7, 2));
        feed.PipelineId.Should().Be(Fixtures.PipelineId);
        feed.Event.Should().BeEquivalentTo(e);
    }

    [Fact]
    public async Task BindDeal_SecondBind_ReusesTheParametersAndWritesTheRow()
    {
        await using var connection = await Fixtures.OpenMemoryAsync();
        await connection.ExecuteAsync("CREATE TABLE deals (" + DealColumns.List + ")");
        await using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO deals (" + DealColumns.List + ") VALUES (" + DealColumns.ParameterList(PortableDialect.Instance) + ")";
        var first = Fixtures.Deal("first");
        var second = Fixtures.Deal("second", owner: "o");

        _mapper.BindDeal(insert, first, _mapper.SerializeData(first));
        await insert.ExecuteNonQueryAsync();
        var parameters = insert.Parameters.Cast<SqliteParameter>().ToList();
        _mapper.BindDeal(insert, second, _mapper.SerializeData(second));
        await insert.ExecuteNonQueryAsync();

        insert.Parameters.Cast<SqliteParameter>().Should().Equal(parameters, "the parameters are created once");
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT " + DealColumns.List + " FROM deals ORDER BY id";
        await using var reader = await select.ExecuteReaderAsync();
        var read = new List<Deal>();
        while (await reader.ReadAsync())
        {
            read.Add(_mapper.ReadDeal(reader));
        }

        read.Select(d => (d.Id, d.Owner)).Should().Equal(("first", null), ("second", "o"));
    }

    [Fact]
    public void SerializeImportData_UnregisteredPipelines_ListsEveryDeal()
    {
        var batch = new[] { "x", "y" }.Select(id => new DealImport(Fixtures.Deal(id) with { PipelineId = "nope" }, [])).ToList();

        var act = () => _mapper.SerializeImportData(batch);

        act.Should().Throw<DealImportException>().Which.Message.Should().Contain("'x'").And.Contain("'y'");
    }

    [Fact]
    public void SerializeData_SameDataObject_IsSerializedOnce()
    {
        var deal = Fixtures.Deal("cached");

        var first = _mapper.SerializeData(deal);

        _mapper.SerializeData(deal).Should().BeSameAs(first, "deal data is read-only by contract, so its JSON is kept");
    }
}
