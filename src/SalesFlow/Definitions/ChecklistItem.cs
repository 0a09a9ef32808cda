namespace SalesFlow;

/// <summary>One item of a stage's checklist.</summary>
/// <param name="Id">The item's id, unique within its pipeline.</param>
/// <param name="Text">What the seller should do, in plain words.</param>
/// <param name="Required">
/// When <see langword="true"/>, moves forward out of the stage are refused until the item is completed.
/// </param>
public sealed record ChecklistItem(string Id, string Text, bool Required);
