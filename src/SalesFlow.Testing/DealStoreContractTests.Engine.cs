using System.Collections.Concurrent;
using FluentAssertions;

namespace SalesFlow.Testing;

/// <content>The store under the engine: refused moves leave nothing, and racing engines lose nothing.</content>
public abstract partial class DealStoreContractTests
{
    /// <summary>A move aborted by a hook leaves neither a new state nor an event.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task FireAsync_OnTransitioningHookThrows_LeavesNeitherStateNorEvent()
    {
        var store = await OpenStoreAsync();
        var engine = new SalesFlowEngine(Pipelines, store);
        await engine.StartAsync(ContractPipeline.Id, "hooked", new ContractDealData(), "alice");
        var failing = new SalesFlowEngineOptions();
        failing.Hooks.Add(new ThrowingHook());
        var failingEngine = new SalesFlowEngine(Pipelines, await OpenStoreAsync(), failing);

        var result = await failingEngine.FireAsync("hooked", "toggle", new FireRequest("bob"));

        result.Status.Should().Be(FireStatus.Aborted);
        var reread = await OpenStoreAsync();
        (await reread.GetAsync("hooked"))!.Should().Match<Deal>(d => d.StageId == "open" && d.Version == 1 && d.LastSequence == 1);
        (await reread.GetEventsAsync("hooked")).Should().ContainSingle();
    }

    /// <summary>Engines on separate store objects racing on the same deals lose no move and no activity.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [StoreFact]
    public async Task Engines_WithSeparateStores_ConcurrentChangesOnSameDeals_LoseNothing()
    {
        // A caller gives up after this many writes that each exhausted the engine's retries: a store that always conflicts fails the test instead of hanging it.
        const int engineCount = 3, deals = 3, tasks = 12, operationsPerTask = 12, giveUpAfter = 20;
        var engines = new List<SalesFlowEngine>();
        for (var i = 0; i < engineCount; i++)
        {
            // The hook widens the window between reading a deal and saving it, so the engines really race.
            var options = new SalesFlowEngineOptions { ConflictRetryCount = SalesFlowEngineOptions.MaxConflictRetryCount };
            options.Hooks.Add(new DelayingHook());
            engines.Add(new SalesFlowEngine(Pipelines, await OpenStoreAsync(), options));
        }

        for (var d = 0; d < deals; d++)
        {
            await engines[0].StartAsync(ContractPipeline.Id, $"hot-{d}", new ContractDealData(), "alice");
        }

        var toggles = new ConcurrentDictionary<string, int>();
        var notes = new ConcurrentDictionary<string, int>();
        var retried = 0;
        await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            var random = new Random(t);
            for (var i = 0; i < operationsPerTask; i++)
            {
                var engine = engines[(t + i) % engineCount];
                var dealId = $"hot-{random.Next(deals)}";
                // A write that gives up after the engine's retries saved nothing: the test tries it again, as a caller would.
                if (random.Next(2) == 0)
                {
                    FireResult result;
                    var tries = 0;
                    do
                    {
                        result = await engine.FireAsync(dealId, "toggle", new FireRequest($"task-{t}"));
                        Interlocked.Add(ref retried, result.ConflictRetries);
                    }
                    while (result.Status == FireStatus.Conflict && ++tries < giveUpAfter);

                    result.Status.Should().Be(FireStatus.Accepted);
                    toggles.AddOrUpdate(dealId, 1, (_, n) => n + 1);
                }
                else
                {
                    for (var tries = 1; ; tries++)
                    {
                        try
                        {
                            await engine.RecordActivityAsync(dealId, new ActivityRequest($"task-{t}") { Note = $"note {t}-{i}" });
                            break;
                        }
                        catch (DealConflictException conflict) when (tries < giveUpAfter)
                        {
                            Interlocked.Add(ref retried, conflict.Retries);
                        }
                    }

                    notes.AddOrUpdate(dealId, 1, (_, n) => n + 1);
                }
            }
        })));

        var reader = await OpenStoreAsync();
        for (var d = 0; d < deals; d++)
        {
            var id = $"hot-{d}";
            var deal = (await reader.GetAsync(id))!;
            var events = await reader.GetEventsAsync(id);
            var expectedEvents = 1 + toggles.GetValueOrDefault(id) + notes.GetValueOrDefault(id);

            events.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, expectedEvents).Select(i => (long)i), "sequences are gapless and unique");
            deal.LastSequence.Should().Be(expectedEvents);
            deal.Version.Should().Be(expectedEvents);
            events.Count(e => e.Trigger == "toggle").Should().Be(toggles.GetValueOrDefault(id));
            events.Count(e => e.Note?.StartsWith("note ", StringComparison.Ordinal) == true).Should().Be(notes.GetValueOrDefault(id), "no activity is lost");

            var replayed = events[0].ToStage;
            foreach (var e in events.Skip(1))
            {
                e.FromStage.Should().Be(replayed);
                replayed = e.ToStage;
            }

            deal.StageId.Should().Be(replayed, "the final stage equals the replay of the events");
        }

        (toggles.Values.Sum() + notes.Values.Sum()).Should().Be(tasks * operationsPerTask);
        retried.Should().BeGreaterThan(0, "the engines really raced on the same deals");
    }

    private sealed class DelayingHook : IDealHook
    {
        public async ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) =>
            await Task.Delay(Random.Shared.Next(3), cancellationToken);

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class ThrowingHook : IDealHook
    {
        public ValueTask OnTransitioningAsync(TransitionContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The CRM refused the move.");

        public ValueTask OnTransitionedAsync(TransitionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
