using System.Text;
using Microsoft.Data.Sqlite;
using SalesFlow.Storage.Relational.Tests.Support;

namespace SalesFlow.Storage.Relational.Tests;

public sealed class DealQuerySqlTests
{
    private readonly DealRowMapper _mapper = new(Fixtures.Pipelines(), PortableDialect.Instance);

    [Fact]
    public void AppendFilters_EveryFilter_OneParameterEachAndOneRowMoreThanThePage()
    {
        using var command = new SqliteCommand();
        var sql = new StringBuilder("SELECT id FROM deals WHERE 1 = 1");
        var due = Fixtures.T0;

        DealQuerySql.AppendFilters(
            sql,
            command,
            new DealQuery { PipelineId = "p", StageId = "s", FollowUpDueAtOrBefore = due, IdleSince = due, AfterDealId = "a", Limit = 10 },
            PortableDialect.Instance);

        sql.ToString().Should().Be(
            "SELECT id FROM deals WHERE 1 = 1 AND pipeline_id = $pipeline_id AND stage_id = $stage_id " +
            "AND next_follow_up_at IS NOT NULL AND next_follow_up_at <= $due AND last_activity_at < $idle AND id > $after ORDER BY id LIMIT $limit");
        command.Parameters["$due"].Value.Should().Be(due.UtcTicks);
        command.Parameters["$limit"].Value.Should().Be(11);
        command.Parameters.Count.Should().Be(6);
    }

    [Fact]
    public void AppendFilters_PipelineVersion_FiltersOnTheVersionColumn()
    {
        using var command = new SqliteCommand();
        var sql = new StringBuilder("S WHERE 1 = 1");

        DealQuerySql.AppendFilters(sql, command, new DealQuery { PipelineId = "p", PipelineVersion = 2 }, PortableDialect.Instance);

        sql.ToString().Should().Be("S WHERE 1 = 1 AND pipeline_id = $pipeline_id AND pipeline_version = $pipeline_version ORDER BY id LIMIT $limit");
        command.Parameters["$pipeline_version"].Value.Should().Be(2);
    }

    [Fact]
    public void AppendFilters_NoFilter_OnlyOrderAndLimit()
    {
        using var command = new SqliteCommand();
        var sql = new StringBuilder("S");

        DealQuerySql.AppendFilters(sql, command, new DealQuery(), PortableDialect.Instance);

        sql.ToString().Should().Be("S ORDER BY id LIMIT $limit");
    }

    [Fact]
    public async Task ReadPageAsync_DamagedRowInThePage_IsReportedAndTheCutStillCountsIt()
    {
        var rows = new[] { "d1", "d2", "d3", "d4" }.Select(id =>
        {
            var deal = Fixtures.Deal(id);
            return _mapper.GetDealValues(deal, id == "d3" ? "not json" : _mapper.SerializeData(deal));
        }).ToArray();
        using var reader = Fixtures.Reader(DealColumns.All, rows);

        var page = await DealQuerySql.ReadPageAsync(reader, _mapper, new DealQuery { Limit = 3 }, CancellationToken.None);

        page.Deals.Select(d => d.Id).Should().Equal("d1", "d2");
        page.Damaged.Should().ContainSingle().Which.DealId.Should().Be("d3");
        page.NextAfterDealId.Should().Be("d3", "the next page starts after the last row of this one, damaged or not");
    }

    [Fact]
    public async Task ReadPageAsync_NoRowBeyondThePage_IsTheLastPage()
    {
        var deal = Fixtures.Deal("only");
        using var reader = Fixtures.Reader(DealColumns.All, _mapper.GetDealValues(deal, _mapper.SerializeData(deal)));

        var page = await DealQuerySql.ReadPageAsync(reader, _mapper, new DealQuery { Limit = 1 }, CancellationToken.None);

        page.Deals.Should().ContainSingle();
        page.NextAfterDealId.Should().BeNull();
        page.Damaged.Should().BeEmpty();
    }
}
