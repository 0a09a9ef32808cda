using System.Runtime.CompilerServices;
using System.Text.Json;

namespace SalesFlow;

/// <summary>
/// A named condition a move must meet: a stable <see cref="Code"/> (for example <c>bant.budget</c>) and
/// the human <see cref="Reason"/> shown when it is not met. The condition is either code registered by the host
/// (a predicate) or a <see cref="GuardCondition"/> over the deal's data.
/// </summary>
public sealed class GuardDefinition
{
    private static readonly ConditionalWeakTable<object, StrongBox<JsonElement>> DataViews = new();

    internal GuardDefinition(string code, string reason, Func<GuardContext, bool> predicate, bool isChecklistGuard = false)
    {
        Code = code;
        Reason = reason;
        Predicate = predicate;
        IsChecklistGuard = isChecklistGuard;
    }

    internal GuardDefinition(string code, string reason, GuardCondition condition)
    {
        Code = code;
        Reason = reason;
        Condition = condition;

        // Replaced by Bind once the pipeline's serializer options are known; until then a condition reads the data with the defaults.
        Predicate = ctx => condition.IsMetBy(View(ctx.Deal.Data, JsonSerializerOptions.Default));
    }

    /// <summary>Gets the stable code of the guard.</summary>
    public string Code { get; }

    /// <summary>Gets the reason reported when the guard is not met.</summary>
    public string Reason { get; }

    /// <summary>Gets a value indicating whether the guard comes from a required checklist item.</summary>
    public bool IsChecklistGuard { get; }

    /// <summary>
    /// Gets the condition over the deal's data, for a guard declared without code (in a JSON definition's <c>"when"</c>, or
    /// with <see cref="PipelineBuilder{TData}.When(string, GuardCondition, string)"/>); <see langword="null"/> for a guard
    /// whose condition is code.
    /// </summary>
    public GuardCondition? Condition { get; }

    internal Func<GuardContext, bool> Predicate { get; private set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Code}: {Reason}";

    /// <summary>Makes a condition guard read the data as the pipeline writes it to JSON.</summary>
    internal void Bind(JsonSerializerOptions options)
    {
        if (Condition is { } condition)
        {
            Predicate = ctx => condition.IsMetBy(View(ctx.Deal.Data, options));
        }
    }

    // Deal data is immutable, so its JSON view is computed once per data instance.
    private static JsonElement View(object data, JsonSerializerOptions options) =>
        data is JsonDealData json
            ? json.Root
            : DataViews.GetValue(data, d => new StrongBox<JsonElement>(JsonSerializer.SerializeToElement(d, d.GetType(), options))).Value;
}
