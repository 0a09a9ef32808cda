using SalesFlow.Pipelines.Retail;

namespace SalesFlow.Tests.Feed;

/// <summary>
/// The crash scenario of the event feed, in one process: a processor dies between a commit and its handling (its run is
/// abandoned, its lease never released); the restarted one receives exactly the events after the saved checkpoint.
/// The same scenario runs across real processes on SQLite and PostgreSQL in SalesFlow.Storage.Tests.
/// </summary>
public class EventFeedCrashRecoveryTests
{
    private readonly FeedHarness _h = new();

    [Fact]
    public async Task ProcessAsync_AfterAProcessorDiesMidRun_RestartReceivesExactlyTheEventsAfterTheCheckpoint()
    {
        await _h.CommitSevenEventsAsync();
        var before = new RecordingHandler();
        (await _h.Processor(before, "process-1", batchSize: 3).ProcessAsync()).Status.Should().Be(EventFeedProcessStatus.CaughtUp);

        // New commits, then the "process" dies while its handler is in the middle of them: never completes, never releases.
        await _h.StartAsync("d3");
        await _h.MoveAsync("d1", RetailTriggers.Purchase);
        await _h.MoveAsync("d3", RetailTriggers.ShowsCuriosity);
        var dying = new RecordingHandler();
        var never = new TaskCompletionSource();
        dying.Before = (_, _) => dying.Handled.Count == 1 ? never.Task : Task.CompletedTask;
        var abandoned = _h.Processor(dying, "process-1", batchSize: 3).ProcessAsync();
        await _h.MoveAsync("d3", RetailTriggers.WalkAway);
        var checkpoint = await _h.Store.GetCheckpointAsync(FeedHarness.Handler);

        var restarted = new RecordingHandler();
        var processor = _h.Processor(restarted, "process-2");
        (await processor.ProcessAsync()).Status.Should().Be(EventFeedProcessStatus.NotLeaseHolder, "the dead process's lease has not expired yet");
        _h.Time.Advance(TimeSpan.FromSeconds(31));
        var result = await processor.ProcessAsync();

        abandoned.IsCompleted.Should().BeFalse();
        dying.Handled.Should().HaveCount(1, "the dead process handled one new event but never saved it");
        checkpoint.Should().Be(before.Handled[^1].Position);
        result.Status.Should().Be(EventFeedProcessStatus.CaughtUp);
        var all = await _h.AllEventsAsync();
        restarted.Handled.Should().Equal(all.Where(e => e.Position > checkpoint), "exactly the events after the checkpoint, in feed order");
        restarted.Handled.Should().HaveCount(4);
        restarted.Handled.Should().NotContain(e => e.Position <= checkpoint);
        foreach (var dealId in new[] { "d1", "d2", "d3" })
        {
            var history = await _h.Engine.GetHistoryAsync(dealId);
            var deliveredBefore = before.Handled.Where(e => e.Event.DealId == dealId).Select(e => e.Event);
            var deliveredAfter = restarted.Handled.Where(e => e.Event.DealId == dealId).Select(e => e.Event);
            deliveredBefore.Concat(deliveredAfter).Should().Equal(history, $"deal {dealId}'s history arrives whole and in order across the restart");
        }
    }
}
