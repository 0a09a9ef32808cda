using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SalesFlow.Testing;

/// <summary>
/// Derives satisfiers for guards whose condition is data (<see cref="GuardDefinition.Condition"/>): it rewrites the
/// deal's data, as the pipeline writes it to JSON, until the condition holds (or, to refuse an earlier alternative,
/// until it does not), and saves it through <see cref="SalesFlowEngine.UpdateAsync{TData}(string, Func{TData, TData}, string, CancellationToken)"/>.
/// Works for typed data and for <see cref="JsonDealData"/>. <see cref="GuardSatisfiers"/> asks it last, after every
/// satisfier registered by code and every source added.
/// </summary>
internal sealed class ConditionSatisfiers : IGuardSatisfierSource
{
    private static readonly MethodInfo UpdateMethod = typeof(ConditionSatisfiers).GetMethod(nameof(UpdateAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    // Values tried, in order, where a condition only says "present" and the member's type is not known from the JSON.
    private static readonly JsonNode?[] PresentCandidates =
        ["satisfied", true, 1, "2026-01-01T00:00:00+00:00", "2026-01-01", new JsonObject(), new JsonArray(new JsonObject()), new JsonArray("satisfied")];

    private static readonly JsonNode?[] AbsentCandidates = [null, "", new JsonArray(), false, 0];

    public static ConditionSatisfiers Instance { get; } = new();

    public GuardSatisfier? Create(GuardDefinition guard) =>
        guard.Condition is { } condition
            ? GuardSatisfier.Create((context, ct) => ApplyAsync(context, condition, met: true, ct), (context, ct) => ApplyAsync(context, condition, met: false, ct))
            : null;

    private static async ValueTask ApplyAsync(GuardSatisfierContext context, GuardCondition condition, bool met, CancellationToken cancellationToken)
    {
        var deal = await context.GetDealAsync(cancellationToken).ConfigureAwait(false);
        var pipeline = context.Pipeline;
        var root = Make(condition, JsonDealData.Parse(pipeline.SerializeData(deal.Data)), met, pipeline);
        var data = TryRead(pipeline, root)
            ?? throw new InvalidOperationException($"No {pipeline.DataType.Name} can be derived that {(met ? "meets" : "fails")} guard '{context.Guard.Code}' ({condition}): register a satisfier for it by code.");
        if (condition.IsMetBy(View(pipeline, data)) != met)
        {
            throw new InvalidOperationException($"The data derived for guard '{context.Guard.Code}' ({condition}) still {(met ? "fails" : "meets")} it: register a satisfier for it by code.");
        }

        await ((ValueTask)UpdateMethod.MakeGenericMethod(pipeline.DataType).Invoke(null, [context, data, cancellationToken])!).ConfigureAwait(false);
    }

    private static async ValueTask UpdateAsync<TData>(GuardSatisfierContext context, object data, CancellationToken cancellationToken)
        where TData : class =>
        await context.Engine.UpdateAsync<TData>(context.DealId, _ => (TData)data, context.Actor, cancellationToken).ConfigureAwait(false);

    // Returns the data's JSON changed so the condition evaluates to `met`; each leaf takes the first value the data type can hold.
    private static JsonDealData Make(GuardCondition condition, JsonDealData root, bool met, PipelineDefinition pipeline)
    {
        switch (condition.Kind)
        {
            case GuardConditionKind.Not:
                return Make(condition.Operands[0], root, !met, pipeline);
            case GuardConditionKind.All when met:
            case GuardConditionKind.Any when !met:
                return condition.Operands.Aggregate(root, (data, operand) => Make(operand, data, met, pipeline));
            case GuardConditionKind.All or GuardConditionKind.Any:
                return Make(condition.Operands[0], root, met, pipeline);
            case GuardConditionKind.None:
                return MakeNone(condition, root, met, pipeline);
        }

        foreach (var candidate in Candidates(condition, met, root.Get(condition.Path!)))
        {
            var attempt = root.With(condition.Path!, candidate);
            if (TryRead(pipeline, attempt) is { } data && condition.IsMetBy(View(pipeline, data)) == met)
            {
                return attempt;
            }
        }

        return root;
    }

    private static JsonDealData MakeNone(GuardCondition condition, JsonDealData root, bool met, PipelineDefinition pipeline)
    {
        var item = condition.Operands[0];
        var items = root.Get(condition.Path!) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray().ToList() : [];
        if (met)
        {
            // No item may match: keep the ones that do not.
            return items.Count == 0 ? root : root.With(condition.Path!, new JsonArray([.. items.Where(i => !item.IsMetBy(i)).Select(i => JsonNode.Parse(i.GetRawText()))]));
        }

        // One item must match: add one made to match, shaped like the items already there.
        JsonNode? made;
        if (item.Path is { Length: 0 } && item.Value is { } value)
        {
            made = JsonNode.Parse(value.GetRawText());
        }
        else
        {
            var template = items.Count > 0 && items[0].ValueKind == JsonValueKind.Object ? items[0] : JsonDealData.Empty.Root;
            made = JsonNode.Parse(Make(Prefix(item, "item"), JsonDealData.Empty.With("item", template), met: true, pipeline).Get("item")!.Value.GetRawText());
        }

        return root.With(condition.Path!, new JsonArray([.. items.Select(i => JsonNode.Parse(i.GetRawText())), made]));
    }

    private static GuardCondition Prefix(GuardCondition condition, string prefix) => condition.Kind switch
    {
        GuardConditionKind.All => GuardCondition.All(condition.Operands.Select(o => Prefix(o, prefix))),
        GuardConditionKind.Any => GuardCondition.Any(condition.Operands.Select(o => Prefix(o, prefix))),
        GuardConditionKind.Not => GuardCondition.Not(Prefix(condition.Operands[0], prefix)),
        GuardConditionKind.Present => GuardCondition.Present(Join(prefix, condition.Path!)),
        GuardConditionKind.Absent => GuardCondition.Absent(Join(prefix, condition.Path!)),
        GuardConditionKind.Equal => GuardCondition.Equal(Join(prefix, condition.Path!), condition.Value),
        GuardConditionKind.AtLeast => GuardCondition.AtLeast(Join(prefix, condition.Path!), condition.Value!.Value),
        GuardConditionKind.AtMost => GuardCondition.AtMost(Join(prefix, condition.Path!), condition.Value!.Value),
        _ => GuardCondition.None(Join(prefix, condition.Path!), condition.Operands[0]),
    };

    private static string Join(string prefix, string path) => path.Length == 0 ? prefix : prefix + "." + path;

    private static IEnumerable<JsonNode?> Candidates(GuardCondition leaf, bool met, JsonElement? current)
    {
        var value = leaf.Value is { } v ? JsonNode.Parse(v.GetRawText()) : null;
        return (leaf.Kind, met) switch
        {
            (GuardConditionKind.Present, true) or (GuardConditionKind.Absent, false) => PresentCandidates.Prepend(Nudge(current)),
            (GuardConditionKind.Present, false) or (GuardConditionKind.Absent, true) => AbsentCandidates,
            (GuardConditionKind.Equal or GuardConditionKind.AtLeast or GuardConditionKind.AtMost, true) => [value],
            (GuardConditionKind.Equal, false) => [Step(value, +1), Step(value, -1), value is JsonValue b && b.TryGetValue<bool>(out var flag) ? !flag : "other", .. AbsentCandidates],
            (GuardConditionKind.AtLeast, false) => [Step(value, -1), null],
            _ => [Step(value, +1), null],
        };
    }

    private static JsonNode? Nudge(JsonElement? current) =>
        current is { ValueKind: JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } value ? JsonNode.Parse(value.GetRawText()) : null;

    // The next number or an earlier or later date or text, for "not equal", "below" and "above".
    private static JsonNode? Step(JsonNode? value, int direction)
    {
        if (value is not JsonValue scalar)
        {
            return null;
        }

        if (scalar.TryGetValue<decimal>(out var number))
        {
            return number + direction;
        }

        if (scalar.TryGetValue<string>(out var text))
        {
            return DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var date)
                ? (text.Length == 10 ? date.AddDays(direction).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : date.AddDays(direction).ToString("O", System.Globalization.CultureInfo.InvariantCulture))
                : direction > 0 ? text + "~" : "";
        }

        return null;
    }

    private static object? TryRead(PipelineDefinition pipeline, JsonDealData root)
    {
        try
        {
            return pipeline.DeserializeData(root.ToString());
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException)
        {
            return null;
        }
    }

    private static JsonElement View(PipelineDefinition pipeline, object data) =>
        JsonDocument.Parse(pipeline.SerializeData(data)).RootElement;
}
