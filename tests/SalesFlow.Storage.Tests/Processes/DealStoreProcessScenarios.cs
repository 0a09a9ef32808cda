using System.Diagnostics;
using System.Globalization;
using SalesFlow.LoadWorker;
using Xunit.Abstractions;

namespace SalesFlow.Storage.Tests.Processes;

/// <summary>
/// Issue 13 §5's process tests, written once for every SQL store: load worker processes (tests/SalesFlow.LoadWorker)
/// fire moves and record activities on the same 100 deals at once, or are killed with SIGKILL mid-run; afterwards a
/// fresh store on the same file or database must hold exactly the acknowledged writes, every history gapless from 1,
/// every deal row in step with its events (<see cref="Deal.LastSequence"/>, <see cref="Deal.Version"/>, the stage its
/// events replay to), checked through the public API and with one direct SQL query over the tables.
/// </summary>
public abstract class DealStoreProcessScenarios(ITestOutputHelper output)
{
    /// <summary>
    /// Set to a number of seconds to make each worker of the two-process test write for that long instead of its short
    /// CI run (a measured load run: benchmarks/results/two-process-load.md).
    /// </summary>
    public const string SecondsVariable = "SALESFLOW_LOAD_SECONDS";

    /// <summary>Set to a number of milliseconds to change the two-process run's think time (default 1; 0 for none).</summary>
    public const string ThinkVariable = "SALESFLOW_LOAD_THINK_MS";

    /// <summary>Set to a number of kills to make the SIGKILL test kill (and restart) its writer that often instead of five times.</summary>
    public const string KillsVariable = "SALESFLOW_LOAD_KILLS";

    private const string SeedActor = "load-test";

    // Sized so a test stays well under ~30 s on two busy cores, starts of the worker processes included.
    private const int WritesPerWorker = 400;
    private const int DefaultKills = 5;

    // Write loops per worker: more loops keep more reads in flight, so more writes meet a newer version.
    private const int Concurrency = 4;

    // Each write of the two-process run waits this long between reading the deal and saving it, outside the store's
    // lock, so the two processes' writes interleave and meet on a deal (without it SQLite's writers take the file in
    // long turns and hardly ever conflict).
    private const int DefaultThinkMilliseconds = 1;

    // A killed worker may leave one unacknowledged write per loop: two keep that bound tight.
    private const int KilledConcurrency = 2;

    private static readonly TimeSpan WorkerTimeout = TimeSpan.FromMinutes(2);

    protected static PipelineRegistry Registry { get; } = new(LoadPipeline.Build());

    /// <summary>Gets the store's name in the test output.</summary>
    protected abstract string StoreName { get; }

    /// <summary>Gets the worker's store arguments: <c>sqlite FILE</c> or <c>postgres CONNECTION SCHEMA</c>.</summary>
    protected abstract IReadOnlyList<string> WorkerStoreArguments { get; }

    /// <summary>Opens a fresh store object on the test's file or schema (disposed by the caller).</summary>
    protected abstract IDealStore OpenStore();

    /// <summary>Counts over the tables with one SQL query of the store's own dialect (<see cref="ConsistencySql"/>).</summary>
    protected abstract Task<SqlCounts> CountWithSqlAsync();

    /// <summary>Checks the database file itself after a kill (SQLite: <c>PRAGMA integrity_check</c>).</summary>
    protected virtual Task CheckFileAfterKillAsync() => Task.CompletedTask;

    /// <summary>
    /// The direct SQL check: deals, events, deals whose row is out of step with their events (last sequence, event count,
    /// highest sequence, version, stage of the last event) and events without a deal row.
    /// </summary>
    protected static string ConsistencySql(string deals, string events) =>
        $"""
        SELECT
            (SELECT COUNT(*) FROM {deals}),
            (SELECT COUNT(*) FROM {events}),
            (SELECT COUNT(*) FROM {deals} d
              WHERE d.last_sequence <> (SELECT COUNT(*) FROM {events} e WHERE e.deal_id = d.id)
                 OR d.last_sequence <> (SELECT MAX(e.sequence) FROM {events} e WHERE e.deal_id = d.id)
                 OR d.version <> d.last_sequence
                 OR d.stage_id <> (SELECT e.to_stage FROM {events} e WHERE e.deal_id = d.id ORDER BY e.sequence DESC LIMIT 1)),
            (SELECT COUNT(*) FROM {events} e WHERE NOT EXISTS (SELECT 1 FROM {deals} d WHERE d.id = e.deal_id))
        """;

    protected async Task TwoWritersOnTheSameDealsAsync()
    {
        await SeedDealsAsync();
        var seconds = int.TryParse(Environment.GetEnvironmentVariable(SecondsVariable), CultureInfo.InvariantCulture, out var value) && value > 0 ? value : (int?)null;
        var run = seconds is { } duration ? $"{duration}s" : WritesPerWorker.ToString(CultureInfo.InvariantCulture);
        var think = int.TryParse(Environment.GetEnvironmentVariable(ThinkVariable), CultureInfo.InvariantCulture, out var ms) && ms >= 0 ? ms : DefaultThinkMilliseconds;
        using var first = await LoadWorkerProcess.StartAsync(WorkerStoreArguments, "a", 1, run, Concurrency, think);
        using var second = await LoadWorkerProcess.StartAsync(WorkerStoreArguments, "b", 2, run, Concurrency, think);

        await Task.WhenAll(first.GoAsync(), second.GoAsync());
        var timeout = WorkerTimeout + TimeSpan.FromSeconds(seconds ?? 0);
        await Task.WhenAll(first.WaitForExitAsync(timeout), second.WaitForExitAsync(timeout));

        LoadWorkerProcess[] workers = [first, second];
        foreach (var worker in workers)
        {
            worker.ExitCode.Should().Be(0, "the worker meets only handled conflicts ({0})", worker);
            worker.Errors.Should().BeEmpty();
            worker.Tally.Should().NotBeNull("the worker reports its tally at the end ({0})", worker);
        }

        var tallies = workers.Select(w => w.Tally!).ToArray();
        var stored = await VerifyStoreAsync(workers, "after two writers");
        stored.Events.Should().Be(LoadWorkerProcess.DealCount + tallies.Sum(t => t.Accepted), "every accepted write is stored once, and nothing else");
        if (seconds is null)
        {
            tallies.Should().OnlyContain(t => t.Accepted + t.Conflicts == WritesPerWorker, "every attempt is accepted or a handled conflict");
        }

        if (think > 0 || seconds is not null)
        {
            tallies.Sum(t => t.Conflicts).Should().BeGreaterThan(0, "writers without conflict retries meet on a deal, so the run tests the conflict check");
        }

        var wallSeconds = tallies.Max(t => t.Seconds);
        var accepted = tallies.Sum(t => t.Accepted);
        var conflicts = tallies.Sum(t => t.Conflicts);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{StoreName}: 2 processes × {Concurrency} loops, {think} ms think time, on {LoadWorkerProcess.DealCount} deals for {wallSeconds:F1} s: {accepted} writes accepted ({accepted / wallSeconds:F0}/s), " +
            $"{conflicts} conflicts (rate {(double)conflicts / (accepted + conflicts):P1}), {stored.Events} events stored."));
        foreach (var tally in tallies)
        {
            output.WriteLine($"  {tally}");
        }
    }

    protected async Task WriterKilledMidRunAsync()
    {
        await SeedDealsAsync();
        var kills = int.TryParse(Environment.GetEnvironmentVariable(KillsVariable), CultureInfo.InvariantCulture, out var value) && value > 0 ? value : DefaultKills;
        var seed = Environment.TickCount;
        output.WriteLine($"{StoreName}: kill moments from seed {seed}");
        var random = new Random(seed);
        var everyWorker = new List<LoadWorkerProcess>();
        try
        {
            for (var round = 1; round <= kills; round++)
            {
                // Runs until killed; in rounds 1, 4, 7, … a second writer works beside it, told to stop after the kill.
                var victim = await LoadWorkerProcess.StartAsync(WorkerStoreArguments, $"k{round}", round, "120s", KilledConcurrency);
                everyWorker.Add(victim);
                LoadWorkerProcess? beside = null;
                if (round % 3 == 1)
                {
                    beside = await LoadWorkerProcess.StartAsync(WorkerStoreArguments, $"b{round}", 100 + round, "120s", 1);
                    everyWorker.Add(beside);
                }

                await Task.WhenAll(victim.GoAsync(), beside?.GoAsync() ?? Task.CompletedTask);
                var killAfter = random.Next(10, 60);
                await victim.WaitForAcknowledgedAsync(killAfter, TimeSpan.FromSeconds(60));
                await Task.Delay(random.Next(0, 15));
                var besideWasRunning = beside is { HasExited: false };
                var clock = Stopwatch.StartNew();
                await victim.KillAsync();
                victim.WasKilled.Should().BeTrue("the victim was still writing when it was killed ({0})", victim);
                if (beside is not null)
                {
                    besideWasRunning.Should().BeTrue("the second writer was writing when the victim died ({0})", beside);
                    await Task.Delay(random.Next(0, 100));
                    await beside.StopAsync();
                    await beside.WaitForExitAsync(WorkerTimeout);
                    beside.ExitCode.Should().Be(0, "the writer beside the killed one meets only handled conflicts ({0})", beside);
                    beside.Errors.Should().BeEmpty();
                }

                await CheckFileAfterKillAsync();
                var stored = await VerifyStoreAsync(everyWorker, $"after kill {round}");
                output.WriteLine(
                    $"{StoreName}: kill {round} after {victim.Acknowledged.Count} acknowledged writes (aimed at {killAfter}), " +
                    $"{stored.EventsByActor.GetValueOrDefault(victim.Actor) - victim.Acknowledged.Count} committed but not acknowledged; " +
                    $"{stored.Events} events stored; checked {clock.ElapsedMilliseconds} ms after the kill" +
                    (beside?.Tally is { } tally ? $"; beside it: {tally}" : ""));
            }

            output.WriteLine($"{StoreName}: {kills} kills survived");
        }
        finally
        {
            foreach (var worker in everyWorker)
            {
                worker.Dispose();
            }
        }
    }

    private async Task SeedDealsAsync()
    {
        var store = OpenStore();
        try
        {
            var engine = new SalesFlowEngine(Registry, store);
            for (var i = 0; i < LoadWorkerProcess.DealCount; i++)
            {
                await engine.StartAsync(LoadPipeline.Id, LoadPipeline.DealId(i), new LoadDeal(), SeedActor);
            }
        }
        finally
        {
            await DisposeAsync(store);
        }
    }

    // Reads everything back through a fresh store and checks the invariants for every deal, then for every worker.
    private async Task<StoredLoad> VerifyStoreAsync(IReadOnlyList<LoadWorkerProcess> workers, string when)
    {
        var store = OpenStore();
        try
        {
            var deals = new List<Deal>();
            string? after = null;
            do
            {
                var page = await store.QueryAsync(new DealQuery { PipelineId = LoadPipeline.Id, AfterDealId = after, Limit = 40 });
                page.Damaged.Should().BeEmpty(when);
                deals.AddRange(page.Deals);
                after = page.NextAfterDealId;
            }
            while (after is not null);

            deals.Select(d => d.Id).Should().Equal(Enumerable.Range(0, LoadWorkerProcess.DealCount).Select(LoadPipeline.DealId), when);
            var problems = new List<string>();
            var actors = new Dictionary<(string DealId, long Sequence), string>();
            foreach (var listed in deals)
            {
                var deal = await store.GetAsync(listed.Id) ?? throw new InvalidOperationException($"Deal {listed.Id} was listed but is not found.");
                var events = await store.GetEventsAsync(listed.Id);
                foreach (var e in events)
                {
                    actors[(e.DealId, e.Sequence)] = e.Actor;
                }

                CheckDeal(listed, deal, events, problems);
            }

            problems.Should().BeEmpty($"every deal's row and history agree {when}");
            var byActor = actors.Values.GroupBy(a => a, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
            byActor.GetValueOrDefault(SeedActor).Should().Be(LoadWorkerProcess.DealCount, "each deal has its one start ({0})", when);
            foreach (var worker in workers)
            {
                var acknowledged = worker.Acknowledged;
                var storedByWorker = byActor.GetValueOrDefault(worker.Actor);
                acknowledged.Where(a => actors.GetValueOrDefault(a) != worker.Actor).Should().BeEmpty(
                    "every write worker {0} was told was accepted is stored as its own ({1}, {2})", worker.WorkerId, when, worker);
                if (worker.WasKilled)
                {
                    // At most the writes in flight when it died (one per loop) are stored without an acknowledgement.
                    storedByWorker.Should().BeInRange(acknowledged.Count, acknowledged.Count + KilledConcurrency, "killed worker {0} ({1})", worker.WorkerId, when);
                }
                else
                {
                    storedByWorker.Should().Be(worker.Tally!.Accepted, "worker {0} stored exactly the writes it counted accepted ({1})", worker.WorkerId, when);
                    acknowledged.Should().HaveCount((int)worker.Tally.Accepted);
                }
            }

            byActor.Keys.Except([SeedActor, .. workers.Select(w => w.Actor)]).Should().BeEmpty("only the seed and the workers wrote ({0})", when);
            var sql = await CountWithSqlAsync();
            sql.Should().Be(new SqlCounts(LoadWorkerProcess.DealCount, actors.Count, 0, 0), "the tables agree with the public API and with themselves ({0})", when);
            return new StoredLoad(actors.Count, byActor);
        }
        finally
        {
            await DisposeAsync(store);
        }
    }

    // Gapless from 1, the row in step with its history, and the stage its events replay to (each event starts where
    // the one before ended, each transition goes where its trigger leads in the ring).
    private static void CheckDeal(Deal listed, Deal deal, IReadOnlyList<DealEvent> events, List<string> problems)
    {
        var id = deal.Id;
        if (deal.Version != listed.Version || deal.LastSequence != listed.LastSequence)
        {
            problems.Add($"{id}: the query listed version {listed.Version}/sequence {listed.LastSequence}, GetAsync read {deal.Version}/{deal.LastSequence}");
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Sequence != i + 1 || events[i].DealId != id)
            {
                problems.Add($"{id}: event {i + 1} of its history is {events[i].DealId} #{events[i].Sequence}");
                return;
            }
        }

        if (deal.LastSequence != events.Count || deal.Version != events.Count)
        {
            problems.Add($"{id}: LastSequence {deal.LastSequence} and Version {deal.Version}, but {events.Count} events");
        }

        if (events.Count == 0 || events[0].Kind != DealEventKind.Started)
        {
            problems.Add($"{id}: the history does not begin with its start");
            return;
        }

        var stage = events[0].ToStage;
        string? previous = null;
        var entered = 1L;
        foreach (var e in events.Skip(1))
        {
            if (e.FromStage != stage)
            {
                problems.Add($"{id} #{e.Sequence}: starts in {e.FromStage}, but the history before it ends in {stage}");
            }

            switch (e.Kind)
            {
                case DealEventKind.Transition:
                    var from = Array.IndexOf(LoadPipeline.Stages, stage);
                    var expected = from < 0 ? null : LoadPipeline.Stages[(from + (e.Trigger == LoadPipeline.Jump ? 2 : 1)) % LoadPipeline.Stages.Length];
                    if (e.ToStage != expected)
                    {
                        problems.Add($"{id} #{e.Sequence}: {e.Trigger} from {stage} went to {e.ToStage}, not {expected}");
                    }

                    previous = stage;
                    stage = e.ToStage;
                    entered = e.Sequence;
                    break;
                case DealEventKind.Activity when e.ToStage == stage && e.Activity == LoadPipeline.Activity:
                    break;
                default:
                    problems.Add($"{id} #{e.Sequence}: unexpected {e.Kind} event to {e.ToStage}");
                    break;
            }
        }

        if (deal.StageId != stage || deal.PreviousStageId != previous || deal.StageEnteredSequence != entered)
        {
            problems.Add($"{id}: stored in {deal.StageId} (from {deal.PreviousStageId}, entered at #{deal.StageEnteredSequence}); its events replay to {stage} (from {previous}, entered at #{entered})");
        }
    }

    private static async ValueTask DisposeAsync(IDealStore store)
    {
        if (store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    /// <summary>What the direct SQL check counted.</summary>
    protected sealed record SqlCounts(long Deals, long Events, long InconsistentDeals, long EventsWithoutDeal);

    private sealed record StoredLoad(long Events, IReadOnlyDictionary<string, long> EventsByActor);
}
