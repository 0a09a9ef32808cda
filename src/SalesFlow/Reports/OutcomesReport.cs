namespace SalesFlow;

/// <summary>
/// How deals closed in a window ended: win rate, cycle times, won value and sales velocity. A deal counts by its current
/// outcome and the instant it reached it (see docs/reports.md).
/// </summary>
public sealed record OutcomesReport
{
    /// <summary>Gets the pipeline's id.</summary>
    public required string PipelineId { get; init; }

    /// <summary>Gets the window: deals that reached their current outcome in it are counted.</summary>
    public required ReportWindow Window { get; init; }

    /// <summary>Gets how many deals were won in the window (and are still won).</summary>
    public required int Won { get; init; }

    /// <summary>Gets how many deals were lost in the window (and are still lost).</summary>
    public required int Lost { get; init; }

    /// <summary>Gets how many deals ended in a closed stage (neither won nor lost) in the window; not part of the win rate.</summary>
    public required int Closed { get; init; }

    /// <summary>Gets won ÷ (won + lost), or <see langword="null"/> when no deal was won or lost.</summary>
    public required double? WinRate { get; init; }

    /// <summary>Gets the cycle times (start to close) of the won deals.</summary>
    public required DurationStats WonCycle { get; init; }

    /// <summary>Gets the cycle times of the lost deals.</summary>
    public required DurationStats LostCycle { get; init; }

    /// <summary>Gets the cycle times of the won and lost deals together.</summary>
    public required DurationStats ClosedCycle { get; init; }

    /// <summary>Gets the sum of <see cref="Deal.Amount"/> over the won deals (a deal without an amount adds nothing).</summary>
    public required decimal WonValue { get; init; }

    /// <summary>Gets how many won deals have no amount.</summary>
    public required int WonWithoutAmount { get; init; }

    /// <summary>Gets <see cref="WonValue"/> ÷ the number of won deals that have an amount, or <see langword="null"/> when none has.</summary>
    public required decimal? AverageWonSize { get; init; }

    /// <summary>Gets how many deals are in an open stage now (whenever they started).</summary>
    public required int OpenDeals { get; init; }

    /// <summary>
    /// Gets the sales velocity, in value per day: <see cref="OpenDeals"/> × <see cref="AverageWonSize"/> × <see cref="WinRate"/>
    /// ÷ the mean won cycle in days; <see langword="null"/> when a factor is missing or the mean won cycle is zero.
    /// </summary>
    public required decimal? SalesVelocity { get; init; }
}
