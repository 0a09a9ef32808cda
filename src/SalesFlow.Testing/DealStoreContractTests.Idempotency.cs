using FluentAssertions;

namespace SalesFlow.Testing;

/// <content>Idempotency keys: kept with their event, found by key, unique per deal, and a repeated request writing nothing.</content>
public abstract partial class DealStoreContractTests
{
    /// <summary>Events' idempotency keys come back as saved and find their event, through another store object.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task FindByIdempotencyKeyAsync_KeyedEvents_FindsEachByItsKeyOnItsDealOnly()
    {
        var store = await OpenStoreAsync();
        var deal = ContractDeals.NewDeal("keyed");
        var started = ContractDeals.Started(deal) with { IdempotencyKey = "start-1" };
        (await store.TrySaveAsync([new DealWrite(deal, 0, [started])])).Should().BeTrue();
        var (next, noted) = ContractDeals.Next(deal, "n");
        (await store.TrySaveAsync([new DealWrite(next, 1, [noted with { IdempotencyKey = "note-1" }])])).Should().BeTrue();
        var (third, unkeyed) = ContractDeals.Next(next);
        (await store.TrySaveAsync([new DealWrite(third, 2, [unkeyed])])).Should().BeTrue();
        var other = ContractDeals.NewDeal("other");
        (await store.TrySaveAsync([ContractDeals.Create(other)])).Should().BeTrue();

        var reopened = await OpenStoreAsync();
        (await reopened.GetEventsAsync("keyed")).Select(e => e.IdempotencyKey).Should().Equal("start-1", "note-1", null);
        (await reopened.FindByIdempotencyKeyAsync("keyed", "start-1")).Should().BeEquivalentTo(started);
        (await reopened.FindByIdempotencyKeyAsync("keyed", "note-1"))!.Sequence.Should().Be(2);
        (await reopened.FindByIdempotencyKeyAsync("keyed", "NOTE-1")).Should().BeNull("keys compare ordinally");
        (await reopened.FindByIdempotencyKeyAsync("keyed", "missing")).Should().BeNull();
        (await reopened.FindByIdempotencyKeyAsync("other", "start-1")).Should().BeNull("a key belongs to its deal");
        (await reopened.FindByIdempotencyKeyAsync("no-such-deal", "start-1")).Should().BeNull();
    }

    /// <summary>A deal holds an idempotency key once: a save that repeats it is a conflict and writes nothing; another deal may use it.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task TrySaveAsync_IdempotencyKeyTheDealHoldsAlready_ConflictAndNothingWritten()
    {
        var store = await OpenStoreAsync();
        var deal = ContractDeals.NewDeal("once");
        (await store.TrySaveAsync([new DealWrite(deal, 0, [ContractDeals.Started(deal) with { IdempotencyKey = "k" }])])).Should().BeTrue();
        var (next, e) = ContractDeals.Next(deal);

        var saved = await store.TrySaveAsync([new DealWrite(next, 1, [e with { IdempotencyKey = "k" }])]);

        saved.Should().BeFalse("the deal holds the key already");
        var reopened = await OpenStoreAsync();
        (await reopened.GetAsync("once"))!.Version.Should().Be(1);
        (await reopened.GetEventsAsync("once")).Should().ContainSingle();
        var other = ContractDeals.NewDeal("twice");
        (await store.TrySaveAsync([new DealWrite(other, 0, [ContractDeals.Started(other) with { IdempotencyKey = "k" }])])).Should().BeTrue("keys are unique per deal");
    }

    /// <summary>An imported history keeps its events' keys (found by key afterwards); a deal with a key twice is refused whole.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task ImportAsync_KeyedHistories_KeysKeptAndAKeyTwiceInOneDealRefused()
    {
        var store = await OpenStoreAsync();
        var imported = ContractDeals.Imported("imported", 3);
        var keyed = imported with { Events = [.. imported.Events.Select(e => e with { IdempotencyKey = "import-" + e.Sequence })] };
        var twice = ContractDeals.Imported("twice", 2);
        var clashing = twice with { Events = [.. twice.Events.Select(e => e with { IdempotencyKey = "same" })] };

        await store.ImportAsync([keyed]);
        var refused = async () => await store.ImportAsync([clashing]);

        (await (await OpenStoreAsync()).FindByIdempotencyKeyAsync("imported", "import-2"))!.Sequence.Should().Be(2);
        (await refused.Should().ThrowAsync<DealImportException>()).Which.Message.Should().Contain("idempotency key");
        (await store.GetAsync("twice")).Should().BeNull();
    }

    /// <summary>Start, move and activity repeated with their keys return the first outcome and write nothing new.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Engine_RequestsRepeatedWithTheirIdempotencyKeys_ReturnTheFirstOutcomeAndWriteNothing()
    {
        var engine = new SalesFlowEngine(Pipelines, await OpenStoreAsync());
        var started = await engine.StartAsync(ContractPipeline.Id, "retried", new ContractDealData(), new StartRequest("alice") { IdempotencyKey = "start" });
        var moved = await engine.FireAsync("retried", "toggle", new FireRequest("bob") { IdempotencyKey = "move" });
        var noted = await engine.RecordActivityAsync("retried", new ActivityRequest("carol") { Note = "called", IdempotencyKey = "call" });

        // The retries, by another engine on another store object, as after a restart.
        var retrying = new SalesFlowEngine(Pipelines, await OpenStoreAsync());
        var startAgain = await retrying.StartAsync(ContractPipeline.Id, "retried", new ContractDealData(), new StartRequest("alice") { IdempotencyKey = "start" });
        var moveAgain = await retrying.FireAsync("retried", "toggle", new FireRequest("bob") { IdempotencyKey = "move" });
        var noteAgain = await retrying.RecordActivityAsync("retried", new ActivityRequest("carol") { Note = "called", IdempotencyKey = "call" });

        started.Version.Should().Be(1);
        startAgain.Version.Should().Be(noted.Version, "a repeated start returns the deal as stored");
        moved.Repeated.Should().BeFalse();
        (moveAgain.Status, moveAgain.Repeated).Should().Be((FireStatus.Accepted, true));
        moveAgain.Event.Should().BeEquivalentTo(moved.Event, o => o.Excluding(e => e!.Timestamp), "the repeat returns the event the first move wrote");
        moveAgain.Event!.Timestamp.Should().BeCloseTo(moved.Event!.Timestamp, TimeSpan.FromMicroseconds(1), "as the store keeps it");
        noteAgain.Version.Should().Be(noted.Version);
        var history = await retrying.GetHistoryAsync("retried");
        history.Select(e => e.IdempotencyKey).Should().Equal("start", "move", "call");
        (await retrying.GetAsync("retried")).Should().Match<Deal>(d => d.Version == 3 && d.StageId == "working");
    }

    /// <summary>Engines on separate store objects sending the same keyed move at once write it once; every one is told it was accepted.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Engine_SameKeyedMoveRacing_WrittenOnceAndAcceptedForEveryCaller()
    {
        var first = new SalesFlowEngine(Pipelines, await OpenStoreAsync());
        await first.StartAsync(ContractPipeline.Id, "raced", new ContractDealData(), "alice");
        var engines = new List<SalesFlowEngine> { first };
        for (var i = 1; i < 4; i++)
        {
            engines.Add(new SalesFlowEngine(Pipelines, await OpenStoreAsync()));
        }

        var results = await Task.WhenAll(engines.SelectMany(e => new[] { e, e }).Select(e =>
            Task.Run(async () => await e.FireAsync("raced", "toggle", new FireRequest("bob") { IdempotencyKey = "one-move" }))));

        results.Should().OnlyContain(r => r.Status == FireStatus.Accepted);
        results.Count(r => !r.Repeated).Should().Be(1, "one caller wrote the move, the others found it");
        results.Select(r => r.Event!.Sequence).Distinct().Should().Equal(2L);
        var history = await first.GetHistoryAsync("raced");
        history.Should().HaveCount(2);
        (await first.GetAsync("raced")).StageId.Should().Be("working", "the toggle was applied once, not flipped back");
    }

    /// <summary>A key sent again with another request on the same deal is refused with an argument error, nothing written.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Engine_KeyReusedForAnotherRequest_ArgumentExceptionAndNothingWritten()
    {
        var engine = new SalesFlowEngine(Pipelines, await OpenStoreAsync());
        await engine.StartAsync(ContractPipeline.Id, "reused", new ContractDealData(), "alice");
        await engine.FireAsync("reused", "toggle", new FireRequest("bob") { IdempotencyKey = "k" });

        var move = async () => await engine.FireAsync("reused", "lose", new FireRequest("bob") { Reason = "r", IdempotencyKey = "k" });
        var note = async () => await engine.RecordActivityAsync("reused", new ActivityRequest("bob") { IdempotencyKey = "k" });

        await move.Should().ThrowAsync<ArgumentException>().WithMessage("*IdempotencyKey*another request*");
        await note.Should().ThrowAsync<ArgumentException>().WithMessage("*IdempotencyKey*another request*");
        (await engine.GetHistoryAsync("reused")).Should().HaveCount(2);
    }
}
