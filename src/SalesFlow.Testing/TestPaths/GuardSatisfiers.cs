namespace SalesFlow.Testing;

/// <summary>
/// The satisfiers a <see cref="TestPathHarness{TData}"/> uses, by guard code, plus sources that derive satisfiers for the
/// other guards. Lookup order: a satisfier registered for the code; then, for a required checklist item's guard
/// (<c>checklist.&lt;item id&gt;</c>), the harness completes the item itself; then each source, in the order added; last,
/// for a guard whose condition is data (<see cref="GuardDefinition.Condition"/>, as JSON definitions write them), a
/// satisfier derived from the condition that rewrites the deal's data to meet it.
/// </summary>
public sealed class GuardSatisfiers
{
    private readonly Dictionary<string, GuardSatisfier> _byCode = new(StringComparer.Ordinal);
    private readonly List<IGuardSatisfierSource> _sources = [];

    /// <summary>Gets the guard codes with a registered satisfier.</summary>
    public IReadOnlyCollection<string> Codes => _byCode.Keys;

    /// <summary>Gets the sources asked for guards without a registered satisfier, in order.</summary>
    public IReadOnlyList<IGuardSatisfierSource> Sources => _sources;

    /// <summary>Registers the satisfier of a guard code.</summary>
    /// <param name="code">The guard code.</param>
    /// <param name="satisfier">The satisfier.</param>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">The code already has a satisfier.</exception>
    public GuardSatisfiers Add(string code, GuardSatisfier satisfier)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentNullException.ThrowIfNull(satisfier);
        if (!_byCode.TryAdd(code, satisfier))
        {
            throw new ArgumentException($"Guard '{code}' already has a satisfier; register one per code.", nameof(code));
        }

        return this;
    }

    /// <summary>Registers a satisfier written as code (see <see cref="GuardSatisfier.Create"/>).</summary>
    /// <param name="code">The guard code.</param>
    /// <param name="satisfy">Makes the guard met.</param>
    /// <param name="violate">Makes the guard unmet; <see langword="null"/> when not needed.</param>
    /// <returns>This instance.</returns>
    public GuardSatisfiers Add(
        string code,
        Func<GuardSatisfierContext, CancellationToken, ValueTask> satisfy,
        Func<GuardSatisfierContext, CancellationToken, ValueTask>? violate = null) =>
        Add(code, GuardSatisfier.Create(satisfy, violate));

    /// <summary>Registers a satisfier that changes the deal's data (see <see cref="GuardSatisfier.Data{TData}"/>).</summary>
    /// <typeparam name="TData">The pipeline's data type.</typeparam>
    /// <param name="code">The guard code.</param>
    /// <param name="satisfy">Returns data that meets the guard.</param>
    /// <param name="violate">Returns data that does not; <see langword="null"/> when not needed.</param>
    /// <returns>This instance.</returns>
    public GuardSatisfiers AddData<TData>(string code, Func<TData, TData> satisfy, Func<TData, TData>? violate = null)
        where TData : class =>
        Add(code, GuardSatisfier.Data(satisfy, violate));

    /// <summary>Registers a satisfier that changes the step's request (see <see cref="GuardSatisfier.Request"/>).</summary>
    /// <param name="code">The guard code.</param>
    /// <param name="satisfy">Returns the request with what meets the guard.</param>
    /// <param name="violate">Returns the request without it; <see langword="null"/> when not needed.</param>
    /// <returns>This instance.</returns>
    public GuardSatisfiers AddRequest(string code, Func<FireRequest, FireRequest> satisfy, Func<FireRequest, FireRequest>? violate = null) =>
        Add(code, GuardSatisfier.Request(satisfy, violate));

    /// <summary>Registers an override for a guard no data can meet (see <see cref="GuardSatisfier.Override"/>).</summary>
    /// <param name="code">The guard code.</param>
    /// <param name="justification">The justification recorded in the event.</param>
    /// <returns>This instance.</returns>
    public GuardSatisfiers AddOverride(string code, string justification) => Add(code, GuardSatisfier.Override(justification));

    /// <summary>Registers a guard the deal's first data already meets (see <see cref="GuardSatisfier.AlreadyMet"/>).</summary>
    /// <param name="code">The guard code.</param>
    /// <returns>This instance.</returns>
    public GuardSatisfiers AddAlreadyMet(string code) => Add(code, GuardSatisfier.AlreadyMet);

    /// <summary>Adds a source that derives satisfiers for guards without one registered by code.</summary>
    /// <param name="source">The source.</param>
    /// <returns>This instance.</returns>
    public GuardSatisfiers AddSource(IGuardSatisfierSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _sources.Add(source);
        return this;
    }

    /// <summary>Adds a source written as a function (returns <see langword="null"/> for guards it cannot satisfy).</summary>
    /// <param name="source">Derives a satisfier from a guard.</param>
    /// <returns>This instance.</returns>
    public GuardSatisfiers AddSource(Func<GuardDefinition, GuardSatisfier?> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return AddSource(new FunctionSource(source));
    }

    /// <summary>
    /// Finds the satisfier of a guard: registered by code, else (for a guard that is not a checklist guard) derived by a
    /// source.
    /// </summary>
    /// <param name="guard">The guard.</param>
    /// <returns>
    /// The satisfier, or <see langword="null"/> when there is none; a checklist guard without one registered by code is left
    /// to the harness, which completes the item.
    /// </returns>
    public GuardSatisfier? Find(GuardDefinition guard)
    {
        ArgumentNullException.ThrowIfNull(guard);
        if (_byCode.TryGetValue(guard.Code, out var satisfier))
        {
            return satisfier;
        }

        if (guard.IsChecklistGuard)
        {
            return null;
        }

        foreach (var source in _sources)
        {
            if (source.Create(guard) is { } derived)
            {
                return derived;
            }
        }

        return ConditionSatisfiers.Instance.Create(guard);
    }

    private sealed class FunctionSource(Func<GuardDefinition, GuardSatisfier?> create) : IGuardSatisfierSource
    {
        public GuardSatisfier? Create(GuardDefinition guard) => create(guard);
    }
}
