namespace SalesFlow.Pipelines;

/// <summary>Small predicates the built-in pipelines share.</summary>
internal static class PipelineGuardHelpers
{
    public static bool HasReason(GuardContext context) => !string.IsNullOrWhiteSpace(context.Reason);

    public static bool HasNote(GuardContext context) => !string.IsNullOrWhiteSpace(context.Options?.Note);

    public static ActivityRequest Activity(string actor, string activity, string? note = null, IReadOnlyDictionary<string, string>? properties = null) =>
        new(actor) { Activity = activity, Note = note, Properties = properties };
}
