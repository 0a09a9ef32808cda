namespace SalesFlow;

/// <summary>
/// Counts deals into the figures of an <see cref="OutcomesReport"/> exactly as <see cref="SalesReports"/> does, for a store
/// that works out each deal's outcome, start and close itself (in SQL) and needs the same finished figures: win rate,
/// cycle times, won value, average won size and sales velocity. docs/reports.md defines them.
/// </summary>
public sealed class OutcomesTally
{
    private readonly List<long> _wonCycles = [];
    private readonly List<long> _lostCycles = [];
    private int _won;
    private int _lost;
    private int _closed;
    private int _wonWithAmount;
    private int _wonWithoutAmount;
    private decimal _wonValue;

    /// <summary>Gets how many deals were counted as open.</summary>
    public int Open { get; private set; }

    /// <summary>Gets how many deals were counted as started in the window (the breakdown's <see cref="BreakdownRow.Started"/>).</summary>
    public int Started { get; private set; }

    /// <summary>Counts an open deal (for the sales velocity).</summary>
    /// <param name="count">How many open deals.</param>
    public void AddOpen(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Open += count;
    }

    /// <summary>Counts a deal started in the window.</summary>
    public void AddStarted() => Started++;

    /// <summary>Counts a deal that reached a won, lost or closed stage in the window.</summary>
    /// <param name="kind">The kind of its stage: <see cref="StageKind.Won"/>, <see cref="StageKind.Lost"/> or <see cref="StageKind.Closed"/>.</param>
    /// <param name="cycle">From its start to its close; <see langword="null"/> when its start is not in the history (an incomplete import), or the close came before it.</param>
    /// <param name="amount">Its amount, if any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kind"/> is <see cref="StageKind.Open"/>.</exception>
    public void AddClosed(StageKind kind, TimeSpan? cycle, decimal? amount)
    {
        var ticks = cycle is { Ticks: >= 0 } c ? c.Ticks : -1;
        switch (kind)
        {
            case StageKind.Won:
                _won++;
                Add(_wonCycles, ticks);
                if (amount is { } value)
                {
                    _wonValue += value;
                    _wonWithAmount++;
                }
                else
                {
                    _wonWithoutAmount++;
                }

                break;
            case StageKind.Lost:
                _lost++;
                Add(_lostCycles, ticks);
                break;
            case StageKind.Closed:
                _closed++;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Count an open deal with AddOpen.");
        }
    }

    /// <summary>Finishes the figures.</summary>
    /// <param name="pipelineId">The pipeline's id.</param>
    /// <param name="window">The window the deals were counted in.</param>
    /// <returns>The outcomes.</returns>
    public OutcomesReport ToReport(string pipelineId, ReportWindow window)
    {
        double? winRate = _won + _lost > 0 ? (double)_won / (_won + _lost) : null;
        decimal? average = _wonWithAmount > 0 ? _wonValue / _wonWithAmount : null;
        var wonCycle = DurationStats.OfTicks([.. _wonCycles]);
        decimal? velocity = average is { } size && _won + _lost > 0 && wonCycle.Mean is { Ticks: > 0 } meanCycle
            ? Open * size * _won / (_won + _lost) * TimeSpan.TicksPerDay / meanCycle.Ticks
            : null;
        return new OutcomesReport
        {
            PipelineId = pipelineId,
            Window = window,
            Won = _won,
            Lost = _lost,
            Closed = _closed,
            WinRate = winRate,
            WonCycle = wonCycle,
            LostCycle = DurationStats.OfTicks([.. _lostCycles]),
            ClosedCycle = DurationStats.OfTicks([.. _wonCycles, .. _lostCycles]),
            WonValue = _wonValue,
            WonWithoutAmount = _wonWithoutAmount,
            AverageWonSize = average,
            OpenDeals = Open,
            SalesVelocity = velocity,
        };
    }

    private static void Add(List<long> cycles, long ticks)
    {
        if (ticks >= 0)
        {
            cycles.Add(ticks);
        }
    }
}
