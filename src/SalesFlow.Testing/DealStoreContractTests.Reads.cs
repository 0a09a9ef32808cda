using FluentAssertions;

namespace SalesFlow.Testing;

/// <content>Reads: histories, queries, imports, argument checks, awkward text, and reopening the database.</content>
public abstract partial class DealStoreContractTests
{
    /// <summary>A deal's history is gapless, in sequence order, and can be read a page at a time.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task GetEventsAsync_ManySaves_AreGaplessOrderedAndPageable()
    {
        var store = await OpenStoreAsync();
        var deal = ContractDeals.NewDeal("history");
        await store.TrySaveAsync([ContractDeals.Create(deal)]);
        for (var i = 0; i < 11; i++)
        {
            var (next, e) = ContractDeals.Next(deal, $"note {i}");
            (await store.TrySaveAsync([new DealWrite(next, deal.Version, [e])])).Should().BeTrue();
            deal = next;
        }

        // Two events in one save.
        var (a, ea) = ContractDeals.Next(deal, "a");
        var (b, eb) = ContractDeals.Next(a, "b");
        (await store.TrySaveAsync([new DealWrite(b with { Version = deal.Version + 1 }, deal.Version, [ea, eb])])).Should().BeTrue();

        var all = await store.GetEventsAsync("history");
        all.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, 14).Select(i => (long)i));
        all[^1].Note.Should().Be("b");
        (await store.GetEventsAsync("history", afterSequence: 5, limit: 3)).Select(e => e.Sequence).Should().Equal(6L, 7L, 8L);
        (await store.GetEventsAsync("history", afterSequence: 12)).Select(e => e.Sequence).Should().Equal(13L, 14L);
        (await store.GetEventsAsync("history", afterSequence: 14)).Should().BeEmpty();
        (await store.GetAsync("history"))!.LastSequence.Should().Be(14);
    }

    /// <summary>An unknown deal reads as null with an empty history.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task GetAsync_UnknownDeal_ReturnsNullAndNoEvents()
    {
        var store = await OpenStoreAsync();

        (await store.GetAsync("nope")).Should().BeNull();
        (await store.GetEventsAsync("nope")).Should().BeEmpty();
    }

    /// <summary>Every deal store member refuses bad arguments with an argument exception and stores nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task DealStoreMembers_InvalidArguments_Throw()
    {
        var store = await OpenStoreAsync();
        var deal = ContractDeals.NewDeal("args");

        await FluentActions.Awaiting(async () => await store.GetAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await store.GetEventsAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await store.GetEventsAsync("x", afterSequence: -1)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(async () => await store.GetEventsAsync("x", limit: 0)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(async () => await store.QueryAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await store.QueryAsync(new DealQuery { Limit = 0 })).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(async () => await store.ImportAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await store.TrySaveAsync(null!)).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await store.TrySaveAsync([null!])).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.TrySaveAsync([new DealWrite(null!, 0, [ContractDeals.Started(deal)])])).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await store.TrySaveAsync([new DealWrite(deal, 0, null!)])).Should().ThrowAsync<ArgumentNullException>();
        await FluentActions.Awaiting(async () => await store.TrySaveAsync([new DealWrite(deal, 0, [])])).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(async () => await store.TrySaveAsync([new DealWrite(deal, -1, [ContractDeals.Started(deal)])])).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(async () => await store.TrySaveAsync([new DealWrite(deal, 0, [ContractDeals.Started(deal) with { DealId = "other" }])])).Should().ThrowAsync<ArgumentException>();
        (await store.GetAsync("args")).Should().BeNull("no refused save stored anything");
    }

    /// <summary>A query by pipeline and stage returns the matching deals ordered by id.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task QueryAsync_ByPipelineAndStage_ReturnsMatchesOrderedById()
    {
        var store = await OpenStoreAsync();
        foreach (var (id, stage) in new[] { ("d3", "open"), ("d1", "working"), ("d2", "open"), ("d10", "open"), ("d4", "won") })
        {
            await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal(id, stage))]);
        }

        var open = await store.QueryAsync(new DealQuery { PipelineId = ContractPipeline.Id, StageId = "open" });
        var all = await store.QueryAsync(new DealQuery { PipelineId = ContractPipeline.Id });
        var otherPipeline = await store.QueryAsync(new DealQuery { PipelineId = "other" });

        open.Deals.Select(d => d.Id).Should().Equal("d10", "d2", "d3");
        open.NextAfterDealId.Should().BeNull();
        open.Damaged.Should().BeEmpty();
        open.Deals[0].Data.Should().BeOfType<ContractDealData>().Which.Customer.Should().Be("c-d10");
        all.Deals.Select(d => d.Id).Should().Equal("d1", "d10", "d2", "d3", "d4");
        otherPipeline.Deals.Should().BeEmpty();
    }

    /// <summary>A follow-up query returns the deals due at or before the time, whatever its offset.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task QueryAsync_FollowUpDue_ReturnsDealsDueAtOrBeforeTheTime()
    {
        var store = await OpenStoreAsync();
        var t = ContractDeals.T0.AddDays(10);
        foreach (var (id, due) in new (string, DateTimeOffset?)[] { ("early", t.AddHours(-1)), ("exact", t), ("late", t.AddTicks(TimeSpan.TicksPerMillisecond)), ("none", null) })
        {
            await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal(id) with { NextFollowUpAt = due })]);
        }

        var page = await store.QueryAsync(new DealQuery { FollowUpDueAtOrBefore = t });
        var viaOtherOffset = await store.QueryAsync(new DealQuery { FollowUpDueAtOrBefore = t.ToOffset(TimeSpan.FromHours(5)) });

        page.Deals.Select(d => d.Id).Should().Equal("early", "exact");
        viaOtherOffset.Deals.Select(d => d.Id).Should().Equal("early", "exact");
    }

    /// <summary>An idleness query returns the deals whose last activity is before the time.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task QueryAsync_IdleSince_ReturnsDealsWithActivityBeforeTheTime()
    {
        var store = await OpenStoreAsync();
        var t = ContractDeals.T0.AddDays(1);
        foreach (var (id, last) in new[] { ("old", t.AddMinutes(-5)), ("boundary", t), ("fresh", t.AddMinutes(5)) })
        {
            await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal(id, at: last))]);
        }

        var page = await store.QueryAsync(new DealQuery { IdleSince = t, PipelineId = ContractPipeline.Id, StageId = "open" });

        page.Deals.Select(d => d.Id).Should().Equal("old");
    }

    /// <summary>Paging a query after the last id visits every match once, in order.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task QueryAsync_KeysetPaging_VisitsEveryMatchOnceInOrder()
    {
        var store = await OpenStoreAsync();
        var ids = Enumerable.Range(0, 23).Select(i => $"page-{i:D3}").ToList();
        foreach (var id in ids)
        {
            await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal(id, stage: id.EndsWith('7') ? "won" : "open"))]);
        }

        var seen = new List<string>();
        var pages = 0;
        string? after = null;
        do
        {
            var page = await store.QueryAsync(new DealQuery { StageId = "open", AfterDealId = after, Limit = 5 });
            page.Deals.Count.Should().BeLessThanOrEqualTo(5);
            pages.Should().BeLessThan(5, "21 matches fill five pages of five");
            seen.AddRange(page.Deals.Select(d => d.Id));
            after = page.NextAfterDealId;
            pages++;
        }
        while (after is not null);

        seen.Should().Equal(ids.Where(i => !i.EndsWith('7')));
        pages.Should().Be(5);
    }

    /// <summary>An import stores every deal of the batch with its history.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ImportAsync_Batch_StoresDealsWithTheirHistories()
    {
        var store = await OpenStoreAsync();
        var batch = Enumerable.Range(0, 50).Select(i => ContractDeals.Imported($"imp-{i:D2}", events: 1 + (i % 4))).ToList();

        await store.ImportAsync(batch);

        var reopened = await OpenStoreAsync();
        foreach (var item in batch)
        {
            (await reopened.GetAsync(item.Deal.Id)).Should().BeEquivalentTo(item.Deal);
            (await reopened.GetEventsAsync(item.Deal.Id)).Should().BeEquivalentTo(item.Events, o => o.WithStrictOrdering());
        }

        var page = await reopened.QueryAsync(new DealQuery { PipelineId = ContractPipeline.Id, Limit = 100 });
        page.Deals.Should().HaveCount(50);
    }

    /// <summary>An import naming an existing deal is refused whole and names the deal.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ImportAsync_DealAlreadyExists_RefusesTheWholeBatchAndLeavesNothing()
    {
        var store = await OpenStoreAsync();
        await store.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal("imp-01"), "original")]);
        var batch = new[] { ContractDeals.Imported("imp-00", 2), ContractDeals.Imported("imp-01", 3), ContractDeals.Imported("imp-02", 1) };

        var act = async () => await store.ImportAsync(batch);

        (await act.Should().ThrowAsync<DealImportException>()).Which.Problems.Should().ContainSingle().Which.Should().Contain("imp-01");
        (await store.GetAsync("imp-00")).Should().BeNull();
        (await store.GetAsync("imp-02")).Should().BeNull();
        (await store.GetEventsAsync("imp-00")).Should().BeEmpty();
        (await store.GetEventsAsync("imp-01")).Should().ContainSingle().Which.Note.Should().Be("original");
    }

    /// <summary>An inconsistent import is refused whole and lists every problem.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ImportAsync_InconsistentBatch_ListsEveryProblemAndLeavesNothing()
    {
        var store = await OpenStoreAsync();
        var good = ContractDeals.Imported("ok", 2);
        var gap = ContractDeals.Imported("gap", 3);
        var batch = new[] { good, gap with { Events = [gap.Events[0], gap.Events[2], gap.Events[1]] }, ContractDeals.Imported("ok", 1) };

        var act = async () => await store.ImportAsync(batch);

        (await act.Should().ThrowAsync<DealImportException>()).Which.Problems.Should().HaveCount(2);
        (await store.GetAsync("ok")).Should().BeNull();
        (await store.QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
    }

    /// <summary>An empty import stores nothing.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ImportAsync_EmptyBatch_DoesNothing()
    {
        var store = await OpenStoreAsync();

        await store.ImportAsync([]);

        (await store.QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
    }

    /// <summary>Any text (Unicode, quotes, SQL-looking ids) is stored and queried verbatim.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_UnicodeAndInjectionLookingText_IsStoredVerbatim()
    {
        var store = await OpenStoreAsync();
        string[] ids =
        [
            "'; DROP TABLE salesflow_deals; --",
            "Robert'); DELETE FROM deals; --",
            "$id @id :id ? %_ \\ \" ` ;",
            "Ünïcödé 日本語 עברית 🚀👩‍👩‍👧",
            "  spaced id\twith tab\nand newline ",
            "e\u0301 (combining) vs \u00e9",
        ];
        foreach (var id in ids)
        {
            var deal = ContractDeals.NewDeal(id) with { Owner = id, OutcomeReason = id, Data = new ContractDealData { Customer = id, Tags = [id] } };
            (await store.TrySaveAsync([new DealWrite(deal, 0, [ContractDeals.Started(deal, note: "note: " + id) with { Actor = id, Properties = ContractDeals.Properties((id, id)) }])])).Should().BeTrue();
        }

        var reopened = await OpenStoreAsync();
        foreach (var id in ids)
        {
            var deal = (await reopened.GetAsync(id))!;
            deal.Id.Should().Be(id);
            deal.Owner.Should().Be(id);
            deal.DataAs<ContractDealData>().Customer.Should().Be(id);
            var e = (await reopened.GetEventsAsync(id)).Should().ContainSingle().Subject;
            e.Note.Should().Be("note: " + id);
            e.Actor.Should().Be(id);
            e.Properties.Should().Contain(id, id);
        }

        var listed = new List<string>();
        string? after = null;
        do
        {
            var page = await reopened.QueryAsync(new DealQuery { AfterDealId = after, Limit = 2 });
            listed.Count.Should().BeLessThan(ids.Length, "paging ends after the last deal");
            listed.AddRange(page.Deals.Select(d => d.Id));
            after = page.NextAfterDealId;
        }
        while (after is not null);

        listed.Should().BeEquivalentTo(ids).And.OnlyHaveUniqueItems();
        (await reopened.QueryAsync(new DealQuery { StageId = "' OR '1'='1" })).Deals.Should().BeEmpty();
    }

    /// <summary>A very long note is stored verbatim.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_VeryLongNote_IsStoredVerbatim()
    {
        var store = await OpenStoreAsync();
        var note = string.Concat(Enumerable.Range(0, 40_000).Select(i => $"{i:D6}é日🚀 "));
        var deal = ContractDeals.NewDeal("long");
        await store.TrySaveAsync([ContractDeals.Create(deal)]);

        (await store.TrySaveAsync([ContractDeals.Update(deal, note)])).Should().BeTrue();

        var stored = (await (await OpenStoreAsync()).GetEventsAsync("long"))[1].Note;
        stored!.Length.Should().Be(note.Length);
        stored.Should().Be(note);
    }

    /// <summary>A store opened again on its database keeps the deals and continues their histories.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task OpenStore_EmptyDatabaseThenReopened_KeepsDealsAndContinuesHistories()
    {
        var first = await OpenStoreAsync();
        (await first.QueryAsync(new DealQuery())).Deals.Should().BeEmpty();
        await first.TrySaveAsync([ContractDeals.Create(ContractDeals.NewDeal("persist"))]);
        await CloseAsync(first);

        var second = await OpenStoreAsync();
        var loaded = (await second.GetAsync("persist"))!;

        (await second.TrySaveAsync([ContractDeals.Update(loaded, "after reopen")])).Should().BeTrue();
        (await (await OpenStoreAsync()).GetEventsAsync("persist")).Select(x => x.Note).Should().Equal(null, "after reopen");
    }
}
