namespace SalesFlow;

/// <summary>
/// One deal's part of a save: its new state, the version the stored deal must still have, and the events
/// that produced the new state. A save of several writes (a referral saves two deals) is atomic.
/// </summary>
/// <param name="Deal">The new state; its <see cref="SalesFlow.Deal.Version"/> is <paramref name="ExpectedVersion"/> + 1.</param>
/// <param name="ExpectedVersion">The version the stored deal must still have; 0 to create a deal that must not exist yet.</param>
/// <param name="Events">The new events, at least one, numbered on from the stored deal's <see cref="SalesFlow.Deal.LastSequence"/> without gaps.</param>
public sealed record DealWrite(Deal Deal, long ExpectedVersion, IReadOnlyList<DealEvent> Events)
{
    /// <summary>
    /// Gets stored events of this deal whose free text the save rewrites in the same transaction (an erasure of personal
    /// data): each replaces the stored event of its <see cref="DealEvent.Sequence"/> in its <see cref="DealEvent.Note"/>,
    /// <see cref="DealEvent.Reason"/>, <see cref="DealEvent.OverrideJustification"/> and <see cref="DealEvent.Properties"/>;
    /// everything else of the stored event stays. Only with <see cref="ExpectedVersion"/> above 0, and only on a store whose
    /// <see cref="IDealStore.SupportsEventRedaction"/> is <see langword="true"/>.
    /// </summary>
    /// <value>The default value is empty: no stored event changes.</value>
    public IReadOnlyList<DealEvent> RedactedEvents { get; init; } = [];
}
