namespace SalesFlow;

/// <summary>What an erasure of personal data changed.</summary>
/// <param name="Deal">The deal after the erasure.</param>
/// <param name="ErasedPaths">The data members erased, as concrete paths (for example <c>CustomerFile</c>, <c>NeedsQuestions[2].Answer</c>).</param>
/// <param name="RedactedSequences">The sequence numbers of the events whose note, reason, override justification or properties changed.</param>
/// <param name="ErasureEvent">The activity event that records the erasure (<see cref="SalesFlowEngine.ErasureActivity"/>); it holds counts, never values.</param>
public sealed record PersonalDataErasure(Deal Deal, IReadOnlyList<string> ErasedPaths, IReadOnlyList<long> RedactedSequences, DealEvent ErasureEvent);
