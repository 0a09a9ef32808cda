using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Engine;

public class ConcurrencyTests
{
    /// <summary>
    /// A real in-memory store in which another writer changes the deal between every load and save of the
    /// engine under test, so that engine always meets a stale version.
    /// </summary>
    private sealed class RacingStore(InMemoryDealStore inner) : IDealStore
    {
        public SalesFlowEngine? Rival { get; set; }

        /// <summary>How many more saves the rival gets in before; negative for every save.</summary>
        public int RivalSaves { get; set; } = -1;

        public int Saves;

        public ValueTask<Deal?> GetAsync(string dealId, CancellationToken cancellationToken = default) => inner.GetAsync(dealId, cancellationToken);

        public async ValueTask<bool> TrySaveAsync(IReadOnlyList<DealWrite> writes, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Saves);
            if (writes[0].ExpectedVersion > 0 && Rival is not null && RivalSaves-- != 0)
            {
                await Rival.RecordActivityAsync(writes[0].Deal.Id, new ActivityRequest("rival"), cancellationToken);
            }

            return await inner.TrySaveAsync(writes, cancellationToken);
        }

        public ValueTask<IReadOnlyList<DealEvent>> GetEventsAsync(string dealId, long afterSequence = 0, int? limit = null, CancellationToken cancellationToken = default) =>
            inner.GetEventsAsync(dealId, afterSequence, limit, cancellationToken);

        public ValueTask<DealPage> QueryAsync(DealQuery query, CancellationToken cancellationToken = default) => inner.QueryAsync(query, cancellationToken);

        public ValueTask ImportAsync(IReadOnlyList<DealImport> batch, CancellationToken cancellationToken = default) => inner.ImportAsync(batch, cancellationToken);
    }

    [Fact]
    public async Task FireAsync_AlwaysStale_RetriesThenReportsConflictAndWritesNothingOfItsOwn()
    {
        var inner = new InMemoryDealStore();
        var racing = new RacingStore(inner);
        var t = new TestEngine(store: racing, configure: o => o.ConflictRetryCount = 2);
        await t.StartReadyAsync();
        racing.Rival = new SalesFlowEngine(new PipelineRegistry(t.Pipeline), inner);
        var savesBefore = racing.Saves;

        var result = await t.FireAsync("advance");

        result.Status.Should().Be(FireStatus.Conflict);
        result.ConflictRetries.Should().Be(2);
        (racing.Saves - savesBefore).Should().Be(3, "one try and two retries");
        var history = await inner.GetEventsAsync("deal-1");
        history.Should().NotContain(e => e.Kind == DealEventKind.Transition);
        history.Count(e => e.Actor == "rival").Should().Be(3);
        (await inner.GetAsync("deal-1"))!.StageId.Should().Be("open");
        result.Invoking(r => r.EnsureAccepted()).Should().Throw<DealConflictException>().Which.Retries.Should().Be(2);

        racing.Rival = new SalesFlowEngine(new PipelineRegistry(t.Pipeline), inner);
        await t.Engine.Invoking(e => e.UpdateAsync<RenewalData>("deal-1", d => d with { Counter = d.Counter + 1 }, "alice").AsTask())
            .Should().ThrowAsync<DealConflictException>();
    }

    [Fact]
    public async Task FireAsync_ConflictRetries_RunTransitioningHooksPerTryAndTransitionedOnce()
    {
        var attempts = new List<int>();
        var saved = new List<int>();
        var inner = new InMemoryDealStore();
        var racing = new RacingStore(inner);
        var pipeline = RenewalPipeline.Builder()
            .OnTransitioning(HookScope.Trigger("advance"), c => attempts.Add(c.Attempt))
            .OnTransitioning(HookScope.Trigger("ping"), c => attempts.Add(c.Attempt))
            .OnTransitioned(HookScope.Trigger("advance"), c => saved.Add(c.Attempt))
            .Build();
        var t = new TestEngine(pipeline, o => o.ConflictRetryCount = 2, racing);
        await t.StartReadyAsync();
        racing.Rival = new SalesFlowEngine(new PipelineRegistry(t.Pipeline), inner);
        racing.RivalSaves = 1;

        var result = await t.FireAsync("advance");

        result.Status.Should().Be(FireStatus.Accepted);
        result.ConflictRetries.Should().Be(1);
        attempts.Should().Equal(0, 1);
        saved.Should().Equal(1);
        (await inner.GetEventsAsync("deal-1")).Count(e => e.Trigger == "advance").Should().Be(1);

        attempts.Clear();
        racing.RivalSaves = -1;
        (await t.FireAsync("ping")).Status.Should().Be(FireStatus.Conflict);
        attempts.Should().Equal(0, 1, 2);
        saved.Should().Equal(1);
    }

    [Fact]
    public async Task FireAsync_ThirtyTwoConcurrentFiresOnOneDeal_EveryAcceptedMoveHasExactlyOneEvent()
    {
        var t = new TestEngine(configure: o => o.ConflictRetryCount = 100);
        await t.StartAsync();
        using var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await t.Engine.FireAsync("deal-1", "ping", new FireRequest($"user-{i}"));
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks);

        var accepted = results.Where(r => r.Accepted).ToList();
        var history = await t.Engine.GetHistoryAsync("deal-1");
        var deal = await t.Engine.GetAsync("deal-1");
        history.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, history.Count).Select(i => (long)i), "no sequence is lost or duplicated");
        history.Count(e => e.Trigger == "ping").Should().Be(accepted.Count);
        accepted.Select(r => r.Event!.Sequence).Should().OnlyHaveUniqueItems();
        accepted.Select(r => r.Event!.Actor).Should().BeEquivalentTo(history.Where(e => e.Trigger == "ping").Select(e => e.Actor));
        results.Should().OnlyContain(r => r.Status == FireStatus.Accepted || r.Status == FireStatus.Conflict);
        deal.LastSequence.Should().Be(history.Count);
        deal.Version.Should().Be(history.Count);
    }

    [Fact]
    public async Task FireAsync_ThirtyTwoConcurrentStageMoves_OnlyOneWinsAndFinalStageMatchesEvents()
    {
        var t = new TestEngine();
        await t.StartReadyAsync();
        using var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await t.Engine.FireAsync("deal-1", "advance", new FireRequest($"user-{i}"));
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks);

        results.Count(r => r.Accepted).Should().Be(1, "after the first move 'advance' is no longer a move from the new stage");
        results.Where(r => !r.Accepted).Should().OnlyContain(r => r.Status == FireStatus.NotPermitted || r.Status == FireStatus.Conflict);
        var history = await t.Engine.GetHistoryAsync("deal-1");
        history.Count(e => e.Trigger == "advance").Should().Be(1);
        (await t.Engine.GetAsync("deal-1")).StageId.Should().Be(history[^1].ToStage).And.Be("negotiation");
    }

    [Fact]
    public async Task FireAsync_ManyDealsFromManyThreads_MachinesStayBoundedAndHistoriesReplay()
    {
        var t = new TestEngine();
        const int deals = 1_000;
        const int movesPerDeal = 10;
        const int parallelism = 16;
        await Parallel.ForAsync(0, deals, async (i, _) => await t.StartReadyAsync($"deal-{i}"));
        var compiled = t.Pipeline.Compiled;
        var machinesBefore = compiled.MachinesBuilt;

        // 10,000 moves: per deal advance, 7 pings, lose, reopen — all deals interleaved across threads.
        var accepted = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, deals), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (i, ct) =>
        {
            var id = $"deal-{i}";
            string[] script = ["advance", "ping", "ping", "ping", "ping", "ping", "ping", "ping", "lose", "reopen"];
            foreach (var trigger in script)
            {
                var r = await t.Engine.FireAsync(id, trigger, new FireRequest("load") { Reason = "r" }, ct);
                r.EnsureAccepted();
                Interlocked.Increment(ref accepted);
            }
        });

        accepted.Should().Be(deals * movesPerDeal);
        machinesBefore.Should().Be(0, "starting deals and checklists need no machine");
        compiled.MachinesBuilt.Should().BeLessThanOrEqualTo(parallelism, "machines are pooled, never built per move");
        compiled.MachinesBuilt.Should().BeGreaterThan(0);
        foreach (var i in new[] { 0, 499, 999 })
        {
            var history = await t.Engine.GetHistoryAsync($"deal-{i}");
            var deal = await t.Engine.GetAsync($"deal-{i}");
            history.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, history.Count).Select(n => (long)n));
            Replay(history).Should().Be(deal.StageId).And.Be("negotiation");
        }
    }

    private static string Replay(IReadOnlyList<DealEvent> history) =>
        history.Aggregate("", (stage, e) => e.Kind == DealEventKind.Activity ? stage : e.ToStage);
}
