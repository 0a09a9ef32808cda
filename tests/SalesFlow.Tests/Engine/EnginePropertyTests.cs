using CsCheck;
using SalesFlow.Tests.Support;

namespace SalesFlow.Tests.Engine;

/// <summary>Properties that hold for any sequence of moves and activities, checked on random sequences.</summary>
public class EnginePropertyTests
{
    private static readonly string[] Triggers = ["advance", "sign", "lose", "reopen", "ping", "teleport"];

    private sealed record Step(int Kind, int Trigger, bool WithReason, bool Flag);

    private static readonly Gen<Step> StepGen =
        Gen.Select(Gen.Int[0, 3], Gen.Int[0, Triggers.Length - 1], Gen.Bool, Gen.Bool, (k, t, r, f) => new Step(k, t, r, f));

    [Fact]
    public void AnySequence_HistoryIsGaplessChainedAndReplaysToTheDealsStage()
    {
        StepGen.Array[1, 40].Sample(steps =>
        {
            var t = new TestEngine();
            t.StartAsync().AsTask().GetAwaiter().GetResult();
            var accepted = 0;
            foreach (var step in steps)
            {
                switch (step.Kind)
                {
                    case 0:
                        t.Engine.UpdateAsync<RenewalData>("deal-1", d => d with { BudgetConfirmed = step.Flag, DecisionMakerKnown = true, Signed = step.Flag }, "prop").AsTask().GetAwaiter().GetResult();
                        break;
                    case 1:
                        t.Engine.CompleteChecklistItemAsync("deal-1", "call-logged", "prop").AsTask().GetAwaiter().GetResult();
                        break;
                    default:
                        var before = t.Engine.GetAsync("deal-1").AsTask().GetAwaiter().GetResult();
                        var result = t.Engine.FireAsync("deal-1", Triggers[step.Trigger], new FireRequest("prop") { Reason = step.WithReason ? "r" : null }).AsTask().GetAwaiter().GetResult();
                        if (result.Accepted)
                        {
                            accepted++;
                            result.Event!.FromStage.Should().Be(before.StageId);
                            result.Event.Sequence.Should().Be(before.LastSequence + 1);
                        }
                        else
                        {
                            result.Deal.Version.Should().Be(before.Version, "a refused move changes nothing");
                            if (result.Status == FireStatus.Rejected)
                            {
                                result.UnmetGuards.Should().NotBeEmpty();
                            }
                        }

                        break;
                }

                t.Time.Advance(TimeSpan.FromSeconds(1));
            }

            var deal = t.Engine.GetAsync("deal-1").AsTask().GetAwaiter().GetResult();
            var history = t.Engine.GetHistoryAsync("deal-1").AsTask().GetAwaiter().GetResult();
            history.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, history.Count).Select(i => (long)i));
            history.Count(e => e.Kind == DealEventKind.Transition).Should().Be(accepted);
            history.Select(e => e.Timestamp).Should().BeInAscendingOrder();
            for (var i = 1; i < history.Count; i++)
            {
                history[i].FromStage.Should().Be(history[i - 1].ToStage);
            }

            deal.StageId.Should().Be(history[^1].ToStage);
            deal.LastSequence.Should().Be(history.Count);
            deal.Outcome.Should().Be(t.Pipeline.GetStage(deal.StageId).Kind);
        }, iter: 200);
    }
}
