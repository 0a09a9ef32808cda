using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.History;

public class DealHistoryTests
{
    [Fact]
    public async Task History_WholeLifecycle_IsGaplessChainedAndTimestampedByTheClock()
    {
        var t = new TestEngine();
        var stamps = new List<DateTimeOffset> { t.Time.GetUtcNow() };
        await t.StartAsync();

        async Task Step(Func<Task> action)
        {
            t.Time.Advance(TimeSpan.FromMinutes(10));
            stamps.Add(t.Time.GetUtcNow());
            await action();
        }

        await Step(async () => await t.Engine.UpdateAsync<RenewalData>("deal-1", d => d with { BudgetConfirmed = true, DecisionMakerKnown = true }, "alice"));
        await Step(async () => await t.Engine.CompleteChecklistItemAsync("deal-1", "call-logged", "alice"));
        await Step(async () => (await t.FireAsync("advance")).EnsureAccepted());
        await Step(async () => (await t.FireAsync("ping")).EnsureAccepted());
        await Step(async () => (await t.FireAsync("lose", reason: "timing")).EnsureAccepted());
        await Step(async () => (await t.FireAsync("reopen")).EnsureAccepted());
        await Step(async () => await t.Engine.RecordActivityAsync("deal-1", new ActivityRequest("alice") { Note = "call back" }));
        t.Time.Advance(TimeSpan.FromMinutes(10));
        (await t.FireAsync("advance")).Status.Should().Be(FireStatus.NotPermitted, "a refused move writes nothing");

        var history = await t.Engine.GetHistoryAsync("deal-1");
        var deal = await t.Engine.GetAsync("deal-1");

        history.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, 8).Select(i => (long)i));
        history.Select(e => e.Timestamp).Should().Equal(stamps);
        history.Select(e => e.Kind).Should().Equal(
            DealEventKind.Started, DealEventKind.Activity, DealEventKind.Activity, DealEventKind.Transition,
            DealEventKind.Transition, DealEventKind.Transition, DealEventKind.Transition, DealEventKind.Activity);
        for (var i = 1; i < history.Count; i++)
        {
            history[i].FromStage.Should().Be(history[i - 1].ToStage, $"event {i + 1} starts where event {i} ended");
        }

        history.Where(e => e.Kind == DealEventKind.Transition).Select(e => (e.FromStage, e.ToStage))
            .Should().Equal(("open", "negotiation"), ("negotiation", "negotiation"), ("negotiation", "lost"), ("lost", "negotiation"));
        deal.LastSequence.Should().Be(8);
        deal.Version.Should().Be(8);
        deal.StageId.Should().Be(history[^1].ToStage);
        deal.UpdatedAt.Should().Be(stamps[^1]);
    }

    [Fact]
    public async Task GetEventsAsync_PagesBySequence()
    {
        var t = new TestEngine();
        await t.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await t.FireAsync("ping");
        }

        var page = await t.Store.GetEventsAsync("deal-1", afterSequence: 2, limit: 3);

        page.Select(e => e.Sequence).Should().Equal(3, 4, 5);
        (await t.Store.GetEventsAsync("deal-1", afterSequence: 6)).Should().BeEmpty();
        (await t.Store.GetEventsAsync("nobody")).Should().BeEmpty();
    }
}
