using System.Collections.Immutable;

namespace SalesFlow;

/// <summary>The moves between stages made in a window: a from → to matrix, one cell per pair that occurred.</summary>
/// <param name="PipelineId">The pipeline's id.</param>
/// <param name="PipelineVersion">The version whose stage order classifies the moves.</param>
/// <param name="Window">The window: moves made in it are counted.</param>
/// <param name="Moves">The non-empty cells, ordered by the from stage, then the to stage (stage order; stages the version lacks last, by id).</param>
public sealed record FlowReport(string PipelineId, int PipelineVersion, ReportWindow Window, ImmutableArray<FlowCell> Moves)
{
    /// <summary>Gets how many moves went to an earlier stage.</summary>
    public int BackwardMoves => Moves.Where(m => m.Direction == FlowDirection.Backward).Sum(m => m.Count);

    /// <summary>Gets how many forward moves passed over at least one stage.</summary>
    public int SkippingMoves => Moves.Where(m => m.SkippedStages > 0).Sum(m => m.Count);
}

/// <summary>One cell of a <see cref="FlowReport"/>: every move from one stage to another.</summary>
/// <param name="FromStage">The stage the deals left.</param>
/// <param name="ToStage">The stage they entered.</param>
/// <param name="Count">How many moves.</param>
/// <param name="Direction">What kind of move it is, by stage order and kind.</param>
/// <param name="SkippedStages">For a forward move, how many open or won stages lie strictly between the two; otherwise 0.</param>
public sealed record FlowCell(string FromStage, string ToStage, int Count, FlowDirection Direction, int SkippedStages)
{
    /// <summary>
    /// Classifies the moves from one stage to another the way every report implementation does (the in-memory reference
    /// and the stores' SQL versions): a re-entry, an exit to a lost or closed stage, a reopen, forward (counting the funnel
    /// bars skipped) or backward; unordered when either stage is not one of the reported version's.
    /// </summary>
    /// <param name="fromStage">The stage left.</param>
    /// <param name="toStage">The stage entered.</param>
    /// <param name="count">How many such moves.</param>
    /// <param name="from">The reported version's definition of <paramref name="fromStage"/>, if it has the stage.</param>
    /// <param name="to">The reported version's definition of <paramref name="toStage"/>, if it has the stage.</param>
    /// <param name="bars">The funnel's stages (open and won, in order), to count the ones a forward move skips.</param>
    /// <returns>The cell.</returns>
    public static FlowCell Classify(string fromStage, string toStage, int count, StageDefinition? from, StageDefinition? to, IEnumerable<StageDefinition> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        if (from is null || to is null)
        {
            return new FlowCell(fromStage, toStage, count, FlowDirection.Unordered, 0);
        }

        var direction =
            string.Equals(fromStage, toStage, StringComparison.Ordinal) ? FlowDirection.Reentry
            : to.Kind is StageKind.Lost or StageKind.Closed ? FlowDirection.Exit
            : from.Kind != StageKind.Open && to.Kind == StageKind.Open ? FlowDirection.Reopen
            : to.Order > from.Order ? FlowDirection.Forward
            : FlowDirection.Backward;
        var skipped = direction == FlowDirection.Forward ? bars.Count(b => b.Order > from.Order && b.Order < to.Order) : 0;
        return new FlowCell(fromStage, toStage, count, direction, skipped);
    }
}

/// <summary>What kind of move a <see cref="FlowCell"/> holds.</summary>
public enum FlowDirection
{
    /// <summary>To a later open or won stage (by stage order).</summary>
    Forward = 0,

    /// <summary>To an earlier open or won stage (by stage order), other than a reopen.</summary>
    Backward = 1,

    /// <summary>Out of a stage and into it again (a re-entry transition).</summary>
    Reentry = 2,

    /// <summary>Into a lost or closed stage.</summary>
    Exit = 3,

    /// <summary>From a won, lost or closed stage back into an open stage (a reopened deal).</summary>
    Reopen = 4,

    /// <summary>A stage the report's version does not have is involved: no order to compare.</summary>
    Unordered = 5,
}
