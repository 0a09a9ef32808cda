namespace SalesFlow.Testing;

/// <summary>What a <see cref="TestPathHarness{TData}"/> run did: every step of every path was accepted and landed where planned.</summary>
public sealed class TestPathRunReport
{
    internal TestPathRunReport(TestPathPlan plan, SalesFlowEngine engine, IReadOnlyList<string> dealIds, int stepsFired, IReadOnlyList<TransitionDefinition> firedTransitions)
    {
        Plan = plan;
        Engine = engine;
        DealIds = dealIds;
        StepsFired = stepsFired;
        FiredTransitions = firedTransitions;
    }

    /// <summary>Gets the plan that was run.</summary>
    public TestPathPlan Plan { get; }

    /// <summary>Gets the engine the paths ran on, to read the deals and their histories.</summary>
    public SalesFlowEngine Engine { get; }

    /// <summary>Gets the id of each path's deal, in path order.</summary>
    public IReadOnlyList<string> DealIds { get; }

    /// <summary>Gets how many steps were fired (and accepted).</summary>
    public int StepsFired { get; }

    /// <summary>Gets the distinct transitions fired, in declaration order.</summary>
    public IReadOnlyList<TransitionDefinition> FiredTransitions { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Plan.Pipeline}: {DealIds.Count} path(s), {StepsFired} step(s) accepted, {FiredTransitions.Count}/{Plan.TransitionCount} transitions fired";
}
