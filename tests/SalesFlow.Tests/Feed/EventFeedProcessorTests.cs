using SalesFlow.Pipelines.Retail;

namespace SalesFlow.Tests.Feed;

public class EventFeedProcessorTests
{
    private readonly FeedHarness _h = new();

    [Fact]
    public async Task ProcessAsync_AfterCommits_DeliversEveryEventInFeedOrder()
    {
        await _h.CommitSevenEventsAsync();
        var handler = new RecordingHandler();

        var result = await _h.Processor(handler, "a").ProcessAsync();

        result.Status.Should().Be(EventFeedProcessStatus.CaughtUp);
        result.Handled.Should().Be(7);
        handler.Handled.Should().Equal(await _h.AllEventsAsync());
        handler.Handled.Select(e => e.Position).Should().BeInAscendingOrder();
        foreach (var dealId in new[] { "d1", "d2" })
        {
            handler.Handled.Where(e => e.Event.DealId == dealId).Select(e => e.Event)
                .Should().Equal(await _h.Engine.GetHistoryAsync(dealId), "a deal's events arrive in sequence order");
        }

        handler.Handled.Should().OnlyContain(e => e.PipelineId == SalesFlow.Pipelines.SalesPipelines.RetailFloorId);
    }

    [Fact]
    public async Task ProcessAsync_RefusedMove_DeliversNothingForIt()
    {
        await _h.StartAsync("d1");
        var refused = await _h.Engine.QuotePriceAsync("d1", 100m, new FireRequest(FeedHarness.Seller));
        var handler = new RecordingHandler();

        var result = await _h.Processor(handler, "a").ProcessAsync();

        refused.Status.Should().Be(FireStatus.Rejected);
        result.Handled.Should().Be(1);
        handler.Handled.Should().ContainSingle().Which.Event.Kind.Should().Be(DealEventKind.Started);
    }

    [Fact]
    public async Task ProcessAsync_ConcurrentCommitsOnManyDeals_DeliversEachDealsHistoryWholeAndInOrder()
    {
        var deals = Enumerable.Range(1, 20).Select(i => $"deal-{i}").ToArray();
        var handler = new RecordingHandler();
        var processor = _h.Processor(handler, "a", batchSize: 7);

        var writers = deals.Select(async id =>
        {
            await _h.StartAsync(id);
            await _h.MoveAsync(id, RetailTriggers.ShowsCuriosity);
            await _h.MoveAsync(id, RetailTriggers.SharesPersonalContext);
            await _h.MoveAsync(id, RetailTriggers.WalkAway);
        }).ToList();
        var reader = Task.Run(async () =>
        {
            while (writers.Any(w => !w.IsCompleted))
            {
                await processor.ProcessAsync();
            }
        });
        await Task.WhenAll(writers);
        await reader;
        await processor.ProcessAsync();

        handler.Handled.Should().HaveCount(80);
        foreach (var id in deals)
        {
            handler.Handled.Where(e => e.Event.DealId == id).Select(e => e.Event.Sequence).Should().Equal([1, 2, 3, 4], $"deal {id}'s events arrive once each, in order");
        }
    }

    [Fact]
    public async Task ProcessAsync_AfterRun_SavesCheckpointAndDeliversOnlyNewEventsNextTime()
    {
        await _h.CommitSevenEventsAsync();
        var handler = new RecordingHandler();
        var processor = _h.Processor(handler, "a");
        var first = await processor.ProcessAsync();

        (await _h.Store.GetCheckpointAsync(FeedHarness.Handler)).Should().Be(handler.Handled[^1].Position);
        first.Checkpoint.Should().Be(handler.Handled[^1].Position);

        await _h.MoveAsync("d1", RetailTriggers.Purchase);
        var second = await processor.ProcessAsync();

        second.Handled.Should().Be(1);
        handler.Handled.Should().HaveCount(8);
        handler.Handled[^1].Event.Trigger.Should().Be(RetailTriggers.Purchase);
        (await _h.Store.GetCheckpointAsync(FeedHarness.Handler)).Should().Be(handler.Handled[^1].Position);
    }

    [Fact]
    public async Task ProcessAsync_NothingCommitted_ReturnsCaughtUpWithNothingHandled()
    {
        var handler = new RecordingHandler();

        var result = await _h.Processor(handler, "a").ProcessAsync();

        result.Should().Be(new EventFeedProcessResult(EventFeedProcessStatus.CaughtUp, 0, FeedPosition.Start));
        handler.Handled.Should().BeEmpty();
    }

    [Fact]
    public async Task ProcessAsync_SeveralBatches_SavesTheCheckpointAfterEachBatch()
    {
        await _h.CommitSevenEventsAsync();
        var seen = new List<FeedPosition>();
        var handler = new RecordingHandler { Before = async (_, ct) => seen.Add(await _h.Store.GetCheckpointAsync(FeedHarness.Handler, ct)) };

        var result = await _h.Processor(handler, "a", batchSize: 3).ProcessAsync();

        result.Handled.Should().Be(7);
        var all = await _h.AllEventsAsync();
        seen.Should().Equal(
            FeedPosition.Start, FeedPosition.Start, FeedPosition.Start,
            all[2].Position, all[2].Position, all[2].Position,
            all[5].Position);
        (await _h.Store.GetCheckpointAsync(FeedHarness.Handler)).Should().Be(all[6].Position);
    }

    [Fact]
    public async Task ProcessBatchAsync_FullBatch_HandlesOneBatchAndReportsMoreAvailable()
    {
        await _h.CommitSevenEventsAsync();
        var handler = new RecordingHandler();
        var processor = _h.Processor(handler, "a", batchSize: 4);

        var first = await processor.ProcessBatchAsync();
        var second = await processor.ProcessBatchAsync();

        first.Should().Be(new EventFeedProcessResult(EventFeedProcessStatus.MoreAvailable, 4, handler.Handled[3].Position));
        second.Should().Be(new EventFeedProcessResult(EventFeedProcessStatus.CaughtUp, 3, handler.Handled[6].Position));
        handler.Handled.Should().Equal(await _h.AllEventsAsync());
    }

    [Fact]
    public async Task ProcessAsync_HandlerThrows_SavesCheckpointBeforeTheFailedEventAndRedeliversFromIt()
    {
        await _h.CommitSevenEventsAsync();
        var all = await _h.AllEventsAsync();
        var handler = new RecordingHandler { FailWhen = e => e.Position == all[4].Position };
        var processor = _h.Processor(handler, "a", batchSize: 3);

        var failed = await processor.ProcessAsync();

        failed.Status.Should().Be(EventFeedProcessStatus.HandlerFailed);
        failed.Handled.Should().Be(4);
        failed.Checkpoint.Should().Be(all[3].Position);
        failed.Failure.Should().NotBeNull();
        failed.Failure!.Position.Should().Be(all[4].Position);
        failed.Failure.DealId.Should().Be(all[4].Event.DealId);
        failed.Failure.Sequence.Should().Be(all[4].Event.Sequence);
        failed.Failure.Exception.Should().BeOfType<InvalidOperationException>();
        handler.Handled.Should().Equal(all.Take(4), "the run stops at the failed event");
        (await _h.Store.GetCheckpointAsync(FeedHarness.Handler)).Should().Be(all[3].Position);

        handler.FailWhen = null;
        var retry = await processor.ProcessAsync();

        retry.Status.Should().Be(EventFeedProcessStatus.CaughtUp);
        retry.Handled.Should().Be(3);
        handler.Handled.Skip(4).Should().Equal(all.Skip(4), "the failed event and the ones after it come again, the ones before do not");
    }

    [Fact]
    public async Task ProcessAsync_HandlerThrowsOnFirstEvent_LeavesTheCheckpointWhereItWas()
    {
        await _h.CommitSevenEventsAsync();
        var handler = new RecordingHandler { FailWhen = _ => true };

        var result = await _h.Processor(handler, "a").ProcessAsync();

        result.Status.Should().Be(EventFeedProcessStatus.HandlerFailed);
        result.Handled.Should().Be(0);
        result.Checkpoint.Should().Be(FeedPosition.Start);
        (await _h.Store.GetCheckpointAsync(FeedHarness.Handler)).Should().Be(FeedPosition.Start);
    }

    [Fact]
    public async Task ProcessAsync_AnotherOwnerHoldsTheLease_HandlesNothing()
    {
        await _h.CommitSevenEventsAsync();
        var handlerA = new RecordingHandler();
        var handlerB = new RecordingHandler();
        await _h.Processor(handlerA, "a").ProcessAsync();
        await _h.MoveAsync("d1", RetailTriggers.Purchase);

        var result = await _h.Processor(handlerB, "b").ProcessAsync();

        result.Status.Should().Be(EventFeedProcessStatus.NotLeaseHolder);
        result.Handled.Should().Be(0);
        handlerB.Handled.Should().BeEmpty();
        (await _h.Store.GetCheckpointAsync(FeedHarness.Handler)).Should().Be(handlerA.Handled[^1].Position);
    }

    [Fact]
    public async Task ProcessAsync_TwoOwnersAtOnce_OnlyOneHandles()
    {
        await _h.CommitSevenEventsAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handlerA = new RecordingHandler { Before = (_, _) => { entered.TrySetResult(); return gate.Task; } };
        var handlerB = new RecordingHandler();
        var runA = _h.Processor(handlerA, "a").ProcessAsync().AsTask();
        await entered.Task;

        var resultB = await _h.Processor(handlerB, "b").ProcessAsync();
        gate.SetResult();
        var resultA = await runA;

        resultB.Status.Should().Be(EventFeedProcessStatus.NotLeaseHolder);
        handlerB.Handled.Should().BeEmpty();
        resultA.Handled.Should().Be(7);
    }

    [Fact]
    public async Task ProcessAsync_HolderStopsWithoutReleasing_AnotherOwnerTakesOverAfterTheLeaseExpires()
    {
        await _h.CommitSevenEventsAsync();
        await _h.Processor(new RecordingHandler(), "a", batchSize: 2).ProcessBatchAsync();
        var checkpoint = await _h.Store.GetCheckpointAsync(FeedHarness.Handler);
        var handlerB = new RecordingHandler();
        var processorB = _h.Processor(handlerB, "b");

        var whileHeld = await processorB.ProcessAsync();
        _h.Time.Advance(TimeSpan.FromSeconds(31));
        var afterExpiry = await processorB.ProcessAsync();

        whileHeld.Status.Should().Be(EventFeedProcessStatus.NotLeaseHolder);
        afterExpiry.Status.Should().Be(EventFeedProcessStatus.CaughtUp);
        handlerB.Handled.Should().Equal((await _h.AllEventsAsync()).Where(e => e.Position > checkpoint));
        handlerB.Handled.Should().HaveCount(5);
    }

    [Fact]
    public async Task ProcessAsync_LeaseLostDuringABatch_StopsAtOnceWithoutSaving()
    {
        await _h.CommitSevenEventsAsync();
        var handler = new RecordingHandler();
        handler.Before = async (e, ct) =>
        {
            if (handler.Handled.Count == 1)
            {
                _h.Time.Advance(TimeSpan.FromSeconds(31));
                (await _h.Store.TryAcquireLeaseAsync(FeedHarness.Handler, "b", TimeSpan.FromSeconds(30), ct)).Should().BeTrue();
            }
        };

        var result = await _h.Processor(handler, "a", batchSize: 3).ProcessAsync();

        result.Status.Should().Be(EventFeedProcessStatus.LeaseLost);
        result.Handled.Should().Be(3);
        handler.Handled.Should().HaveCount(3, "no batch follows once the lease is lost");
        (await _h.Store.GetCheckpointAsync(FeedHarness.Handler)).Should().Be(FeedPosition.Start);
    }

    [Fact]
    public async Task ReleaseAsync_AfterARun_LetsAnotherOwnerTakeOverAtOnce()
    {
        await _h.CommitSevenEventsAsync();
        var processorA = _h.Processor(new RecordingHandler(), "a", batchSize: 2);
        await processorA.ProcessBatchAsync();
        var handlerB = new RecordingHandler();

        await processorA.ReleaseAsync();
        var result = await _h.Processor(handlerB, "b").ProcessAsync();

        result.Status.Should().Be(EventFeedProcessStatus.CaughtUp);
        handlerB.Handled.Should().HaveCount(5);
    }

    [Fact]
    public async Task ProcessAsync_CancelledBeforeStart_ThrowsAndHandlesNothing()
    {
        await _h.CommitSevenEventsAsync();
        var handler = new RecordingHandler();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var act = async () => await _h.Processor(handler, "a").ProcessAsync(cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        handler.Handled.Should().BeEmpty();
    }

    [Fact]
    public async Task ProcessAsync_CancelledWhileHandling_ThrowsAndKeepsTheCheckpoint()
    {
        await _h.CommitSevenEventsAsync();
        using var cts = new CancellationTokenSource();
        var handler = new RecordingHandler();
        handler.Before = async (_, ct) =>
        {
            if (handler.Handled.Count == 2)
            {
                await cts.CancelAsync();
                ct.ThrowIfCancellationRequested();
            }
        };

        var act = async () => await _h.Processor(handler, "a").ProcessAsync(cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        handler.Handled.Should().HaveCount(2);
        (await _h.Store.GetCheckpointAsync(FeedHarness.Handler)).Should().Be(FeedPosition.Start, "a cancelled batch is delivered again");
    }

    [Fact]
    public async Task ProcessAsync_HandlerThrowsCancellationOfItsOwn_CountsAsAFailure()
    {
        await _h.CommitSevenEventsAsync();
        var handler = new RecordingHandler { Before = (_, _) => throw new OperationCanceledException("the handler's own timeout") };

        var result = await _h.Processor(handler, "a").ProcessAsync();

        result.Status.Should().Be(EventFeedProcessStatus.HandlerFailed);
        result.Failure!.Exception.Should().BeOfType<OperationCanceledException>();
    }

    [Fact]
    public async Task ProcessAsync_WhileAlreadyRunning_Throws()
    {
        await _h.CommitSevenEventsAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var processor = _h.Processor(new RecordingHandler { Before = (_, _) => { entered.TrySetResult(); return gate.Task; } }, "a");
        var run = processor.ProcessAsync().AsTask();
        await entered.Task;

        var again = async () => await processor.ProcessBatchAsync();

        (await again.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*already running*");
        gate.SetResult();
        (await run).Handled.Should().Be(7);
    }

    [Fact]
    public async Task Constructor_WithADelegate_DeliversToIt()
    {
        await _h.CommitSevenEventsAsync();
        var positions = new List<FeedPosition>();
        var processor = new EventFeedProcessor(_h.Store, "delegate", (e, _) =>
        {
            positions.Add(e.Position);
            return ValueTask.CompletedTask;
        });

        var result = await processor.ProcessAsync();

        result.Handled.Should().Be(7);
        positions.Should().Equal((await _h.AllEventsAsync()).Select(e => e.Position));
    }

    [Fact]
    public void Constructor_NoOwnerGiven_GeneratesOneOwnerPerProcessor()
    {
        var first = new EventFeedProcessor(_h.Store, "h", new RecordingHandler());
        var second = new EventFeedProcessor(_h.Store, "h", new RecordingHandler());

        first.Owner.Should().StartWith($"{Environment.MachineName}/{Environment.ProcessId}/");
        first.Owner.Length.Should().BeLessThanOrEqualTo(200);
        second.Owner.Should().NotBe(first.Owner);
        first.HandlerName.Should().Be("h");
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        var handler = new RecordingHandler();
        Func<FeedEvent, CancellationToken, ValueTask> callback = (_, _) => ValueTask.CompletedTask;

        FluentActions.Invoking(() => new EventFeedProcessor(null!, "h", handler)).Should().Throw<ArgumentNullException>().WithParameterName("store");
        FluentActions.Invoking(() => new EventFeedProcessor(null!, "h", callback)).Should().Throw<ArgumentNullException>().WithParameterName("store");
        FluentActions.Invoking(() => new EventFeedProcessor(_h.Store, null!, handler)).Should().Throw<ArgumentNullException>().WithParameterName("handlerName");
        FluentActions.Invoking(() => new EventFeedProcessor(_h.Store, " ", handler)).Should().Throw<ArgumentException>().WithParameterName("handlerName");
        FluentActions.Invoking(() => new EventFeedProcessor(_h.Store, new string('h', 201), handler)).Should().Throw<ArgumentException>().WithParameterName("handlerName");
        FluentActions.Invoking(() => new EventFeedProcessor(_h.Store, "h", (IDealEventHandler)null!)).Should().Throw<ArgumentNullException>().WithParameterName("handler");
        FluentActions.Invoking(() => new EventFeedProcessor(_h.Store, "h", (Func<FeedEvent, CancellationToken, ValueTask>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("handler");
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryProblem()
    {
        var options = new EventFeedProcessorOptions { BatchSize = 0, LeaseDuration = TimeSpan.Zero, Owner = " " };

        var act = () => new EventFeedProcessor(_h.Store, "h", new RecordingHandler(), options);

        act.Should().Throw<ArgumentException>().WithParameterName("options")
            .Which.Message.Should().Contain("BatchSize is 0").And.Contain("LeaseDuration is 00:00:00").And.Contain("Owner is blank");
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(10_000, 3600, true)]
    [InlineData(10_001, 30, false)]
    [InlineData(100, 3601, false)]
    [InlineData(-1, 30, false)]
    public void Constructor_OptionBounds_AcceptOnlyTheDocumentedRange(int batchSize, int leaseSeconds, bool valid)
    {
        var options = new EventFeedProcessorOptions { BatchSize = batchSize, LeaseDuration = TimeSpan.FromSeconds(leaseSeconds) };

        var act = () => new EventFeedProcessor(_h.Store, "h", new RecordingHandler(), options);

        if (valid)
        {
            act.Should().NotThrow();
        }
        else
        {
            act.Should().Throw<ArgumentException>();
        }
    }

    [Fact]
    public void Options_Defaults_AreTheDocumentedOnes()
    {
        var options = new EventFeedProcessorOptions();

        options.BatchSize.Should().Be(100);
        options.LeaseDuration.Should().Be(TimeSpan.FromSeconds(30));
        options.Owner.Should().BeNull();
    }
}
