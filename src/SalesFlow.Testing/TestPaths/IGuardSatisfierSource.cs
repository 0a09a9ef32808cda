namespace SalesFlow.Testing;

/// <summary>
/// Derives satisfiers for guards that have none registered by code: for example from what a built-in parameterised
/// guard (a data path and a condition) tests. Add sources with <see cref="GuardSatisfiers.AddSource(IGuardSatisfierSource)"/>;
/// they are asked in the order added, after the satisfiers registered by code, and never for a checklist guard (the harness
/// completes required checklist items itself).
/// </summary>
public interface IGuardSatisfierSource
{
    /// <summary>Returns a satisfier for a guard, or <see langword="null"/> when this source cannot derive one.</summary>
    /// <param name="guard">The guard.</param>
    /// <returns>The satisfier, or <see langword="null"/>.</returns>
    GuardSatisfier? Create(GuardDefinition guard);
}
