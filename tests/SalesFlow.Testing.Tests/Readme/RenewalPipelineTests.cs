// The "Test paths" example of src/SalesFlow.Testing/README.md, compiled and run; ReadmeTests checks the two stay the same.
namespace SalesFlow.Testing.Tests.Readme;

// README example begins
public sealed record RenewalData
{
    public bool Signed { get; init; }
}

public class RenewalPipelineTests
{
    private static readonly PipelineDefinition<RenewalData> Pipeline =
        PipelineBuilder.Create<RenewalData>("renewals", version: 1)
            .Stage("open", s => s.Name("Open").Checklist("call-logged", "Call logged", required: true))
            .Stage("won", s => s.Name("Won").Won())
            .Stage("lost", s => s.Name("Lost").Lost())
            .Transition("sign", from: "open", to: "won")
                .When("contract.signed", d => d.Signed, "Contract not signed")
            .Transition("lose", from: "open", to: "lost")
                .When("lost.reason", (_, ctx) => ctx.Reason is not null, "A lost reason is required")
            .ReturnTransition("reopen", "lost")
            .Build();

    [Fact]
    public async Task TestPaths_FireEveryTransition()
    {
        var plan = TestPathGenerator.Generate(Pipeline);
        Assert.Empty(plan.Unreachable); // every transition is on some path

        var satisfiers = new GuardSatisfiers()
            .AddData<RenewalData>("contract.signed", d => d with { Signed = true }) // a guard over the data
            .AddRequest("lost.reason", r => r with { Reason = "No budget" });      // a guard over the move's input
        // checklist.call-logged needs no satisfier: the harness completes required checklist items.

        var report = await new TestPathHarness<RenewalData>(Pipeline, new RenewalData(), satisfiers).RunAsync(plan);

        Assert.Equal(plan.TransitionCount, report.FiredTransitions.Count);
    }
}
// README example ends
