namespace SalesFlow;

/// <summary>A deal to import with its whole history.</summary>
/// <param name="Deal">The deal's current state; its <see cref="Deal.LastSequence"/> is the last event's sequence.</param>
/// <param name="Events">The deal's events, numbered 1, 2, 3 … without gaps.</param>
public sealed record DealImport(Deal Deal, IReadOnlyList<DealEvent> Events);
