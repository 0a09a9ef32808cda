using System.Collections.Immutable;
using Npgsql;
using NpgsqlTypes;

namespace SalesFlow.PostgreSql;

/// <summary>
/// The reports of a <see cref="PostgreSqlDealStore"/>, computed by PostgreSQL: the funnel, time in stage, flow and outcomes
/// run as SQL over the store's tables (window functions over each deal's events in sequence order), so only the figures
/// cross the network. The figures equal those of <see cref="SalesReports"/> over the same store; docs/reports.md defines them.
/// </summary>
/// <remarks>
/// Breakdowns (their grouping is a function of the caller's) and the idle report are computed by <see cref="SalesReports"/>
/// over the same store. A report reads a live store: deals and events written while it runs may or may not be included.
/// </remarks>
public sealed class PostgreSqlDealReports : IDealReports
{
    private const int Open = 0;
    private const int Won = 1;
    private const int Lost = 2;
    private const int Closed = 3;

    private readonly PostgreSqlDealStore _store;
    private readonly PipelineRegistry _pipelines;
    private readonly TimeProvider _time;
    private readonly SalesReports _reference;
    private readonly string _timeInStageSql;
    private readonly string _funnelSql;
    private readonly string _outcomesSql;
    private readonly string _flowSql;

    /// <summary>Creates the reports over a PostgreSQL store (the arguments in the order of <see cref="SalesReports"/>'s).</summary>
    /// <param name="pipelines">The registry holding the pipelines reported on (every version of them).</param>
    /// <param name="store">The store whose deals and events are reported on.</param>
    /// <param name="timeProvider">The clock for "now"; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public PostgreSqlDealReports(PipelineRegistry pipelines, PostgreSqlDealStore store, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(pipelines);
        _store = store;
        _pipelines = pipelines;
        _time = timeProvider ?? TimeProvider.System;
        _reference = new SalesReports(pipelines, store, _time);
        _timeInStageSql = PostgreSqlReportSql.TimeInStage(store.Schema);
        _funnelSql = PostgreSqlReportSql.Funnel(store.Schema);
        _outcomesSql = PostgreSqlReportSql.Outcomes(store.Schema);
        _flowSql = PostgreSqlReportSql.Flow(store.Schema);
    }

    /// <inheritdoc/>
    public async ValueTask<FunnelReport> FunnelAsync(ReportRequest request, FunnelMode mode, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Use FunnelMode.Strict, Touched or Implied.");
        }

        var stages = Stages(request);
        var column = mode switch { FunnelMode.Touched => 2, FunnelMode.Implied => 3, _ => 1 };
        var counts = new int[stages.Bars.Length];
        var cohort = 0;
        await QueryAsync(_funnelSql, request, stages, null, reader =>
        {
            var position = reader.GetInt32(0);
            if (position < 0)
            {
                cohort = checked((int)reader.GetInt64(1));
            }
            else
            {
                counts[position] = checked((int)reader.GetInt64(column));
            }
        }, cancellationToken).ConfigureAwait(false);

        var bars = ImmutableArray.CreateBuilder<FunnelBar>(counts.Length);
        for (var i = 0; i < counts.Length; i++)
        {
            var stage = stages.Bars[i];
            double? step = i > 0 && counts[i - 1] > 0 ? (double)counts[i] / counts[i - 1] : null;
            double? cumulative = counts[0] > 0 ? (double)counts[i] / counts[0] : null;
            bars.Add(new FunnelBar(stage.Id, stage.Name, counts[i], step, cumulative));
        }

        return new FunnelReport(stages.Version.Id, stages.Version.Version, request.Window, mode, cohort, bars.MoveToImmutable());
    }

    /// <inheritdoc/>
    public async ValueTask<TimeInStageReport> TimeInStageAsync(ReportRequest request, CancellationToken cancellationToken = default)
    {
        var stages = Stages(request);
        var now = _time.GetUtcNow();
        var figures = new Dictionary<(string Figure, string Stage), Figure>();
        await QueryAsync(_timeInStageSql, request, stages, now, reader =>
        {
            var figure = Figure.Read(reader);
            figures[(reader.GetString(0), reader.GetString(1))] = figure;
        }, cancellationToken).ConfigureAwait(false);

        var result = ImmutableArray.CreateBuilder<StageTimes>(stages.OpenStages.Length);
        foreach (var stage in stages.OpenStages)
        {
            result.Add(new StageTimes(
                stage.Id,
                stage.Name,
                figures.TryGetValue(("entries", stage.Id), out var entries) ? checked((int)entries.Count) : 0,
                StatsOf(figures, "latest", stage.Id),
                StatsOf(figures, "cumulative", stage.Id),
                StatsOf(figures, "current", stage.Id)));
        }

        return new TimeInStageReport(stages.Version.Id, stages.Version.Version, request.Window, now, result.MoveToImmutable());
    }

    /// <inheritdoc/>
    public async ValueTask<FlowReport> FlowAsync(ReportRequest request, CancellationToken cancellationToken = default)
    {
        var stages = Stages(request);
        var moves = new List<(string From, string To, int Count)>();
        await QueryAsync(_flowSql, request, stages, null, reader => moves.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2))), cancellationToken)
            .ConfigureAwait(false);
        var cells = moves
            .OrderBy(m => stages.SortKey(m.From)).ThenBy(m => stages.SortKey(m.To))
            .Select(m => stages.Cell(m.From, m.To, m.Count));
        return new FlowReport(stages.Version.Id, stages.Version.Version, request.Window, [.. cells]);
    }

    /// <inheritdoc/>
    public async ValueTask<OutcomesReport> OutcomesAsync(ReportRequest request, CancellationToken cancellationToken = default)
    {
        var stages = Stages(request);
        var figures = new Dictionary<(string Figure, string Stage), Figure>();
        await QueryAsync(_outcomesSql, request, stages, null, reader =>
        {
            var figure = Figure.Read(reader);
            figures[(reader.GetString(0), reader.GetString(1))] = figure;
        }, cancellationToken).ConfigureAwait(false);

        var wonFigure = figures[("won", "")];
        var won = checked((int)wonFigure.Count);
        var lost = checked((int)figures[("lost", "")].Count);
        var open = checked((int)figures[("open", "")].Count);
        var wonWithoutAmount = checked((int)wonFigure.Low!.Value);
        var wonWithAmount = won - wonWithoutAmount;
        var wonValue = wonFigure.Total ?? 0m;
        double? winRate = won + lost > 0 ? (double)won / (won + lost) : null;
        decimal? average = wonWithAmount > 0 ? wonValue / wonWithAmount : null;
        var wonCycle = StatsOf(figures, "won_cycle", "");
        decimal? velocity = average is { } size && won + lost > 0 && wonCycle.Mean is { Ticks: > 0 } meanCycle
            ? open * size * won / (won + lost) * TimeSpan.TicksPerDay / meanCycle.Ticks
            : null;
        return new OutcomesReport
        {
            PipelineId = stages.Version.Id,
            Window = request.Window,
            Won = won,
            Lost = lost,
            Closed = checked((int)figures[("closed", "")].Count),
            WinRate = winRate,
            WonCycle = wonCycle,
            LostCycle = StatsOf(figures, "lost_cycle", ""),
            ClosedCycle = StatsOf(figures, "closed_cycle", ""),
            WonValue = wonValue,
            WonWithoutAmount = wonWithoutAmount,
            AverageWonSize = average,
            OpenDeals = open,
            SalesVelocity = velocity,
        };
    }

    /// <inheritdoc/>
    /// <remarks>Computed by <see cref="SalesReports"/> over the store: the grouping is a function of the caller's.</remarks>
    public ValueTask<BreakdownReport> BreakdownAsync(ReportRequest request, DealGrouping grouping, int top, CancellationToken cancellationToken = default) =>
        _reference.BreakdownAsync(request, grouping, top, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Computed by <see cref="SalesReports"/> over the store.</remarks>
    public ValueTask<IdleReport> IdleAsync(string pipelineId, CancellationToken cancellationToken = default) =>
        _reference.IdleAsync(pipelineId, cancellationToken);

    private static DurationStats StatsOf(Dictionary<(string Figure, string Stage), Figure> figures, string figure, string stage)
    {
        if (!figures.TryGetValue((figure, stage), out var f) || f.Count == 0)
        {
            return DurationStats.Empty;
        }

        var low = f.Low!.Value;
        var high = f.High!.Value;
        var median = low + ((high - low) / 2);
        var mean = (long)((Int128)f.Total!.Value / f.Count);
        return new DurationStats(checked((int)f.Count), TimeSpan.FromTicks(median), TimeSpan.FromTicks(mean), TimeSpan.FromTicks(f.P90!.Value));
    }

    private static long Ticks(DateTimeOffset instant) => instant.UtcTicks;

    private ReportStagesSql Stages(ReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.PipelineId))
        {
            throw new ArgumentException("ReportRequest.PipelineId is required.", nameof(request));
        }

        if (request.Window is null)
        {
            throw new ArgumentException("ReportRequest.Window is required.", nameof(request));
        }

        var version = request.PipelineVersion is { } v ? _pipelines.Get(request.PipelineId, v) : _pipelines.Get(request.PipelineId);
        var versions = _pipelines.All.Where(p => string.Equals(p.Id, request.PipelineId, StringComparison.Ordinal));
        return new ReportStagesSql(version, versions);
    }

    private async Task QueryAsync(string sql, ReportRequest request, ReportStagesSql stages, DateTimeOffset? now, Action<NpgsqlDataReader> read, CancellationToken cancellationToken)
    {
        await _store.ReadAsync(
            async connection =>
            {
                var command = new NpgsqlCommand(sql, connection);
                await using var commandScope = command.ConfigureAwait(false);
                command.Parameters.Add(new NpgsqlParameter<string>("pipeline_id", request.PipelineId));
                command.Parameters.Add(new NpgsqlParameter<long>("from", Ticks(request.Window.From)));
                command.Parameters.Add(new NpgsqlParameter<long>("to", Ticks(request.Window.To)));
                command.Parameters.Add(new NpgsqlParameter<long>("now", now is { } instant ? Ticks(instant) : 0));
                command.Parameters.Add(new NpgsqlParameter<string[]>("st_ids", stages.Ids) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<int[]>("st_kinds", stages.Kinds));
                command.Parameters.Add(new NpgsqlParameter<bool[]>("st_version", stages.InVersion));
                command.Parameters.Add(new NpgsqlParameter<string[]>("re_triggers", stages.ReentryTriggers) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<string[]>("re_stages", stages.ReentryStages) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<string[]>("bar_ids", [.. stages.Bars.Select(b => b.Id)]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var readerScope = reader.ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    read(reader);
                }

                return 0;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static int KindCode(StageKind kind) => kind switch
    {
        StageKind.Won => Won,
        StageKind.Lost => Lost,
        StageKind.Closed => Closed,
        _ => Open,
    };

    // One row of a report query: figure, stage, count, total, low middle, high middle, p90.
    private readonly record struct Figure(long Count, decimal? Total, long? Low, long? High, long? P90)
    {
        public static Figure Read(NpgsqlDataReader reader) => new(
            reader.GetInt64(2),
            reader.IsDBNull(3) ? null : reader.GetDecimal(3),
            reader.IsDBNull(4) ? null : reader.GetInt64(4),
            reader.IsDBNull(5) ? null : reader.GetInt64(5),
            reader.IsDBNull(6) ? null : reader.GetInt64(6));
    }

    // The stage facts a report passes to SQL, as the reference reads them: the report version's stages with their kinds,
    // other versions' stage ids with the kind of the highest version that has them, re-entry pairs of every version, the
    // bars (open and won stages) and open stages in stage order.
    private sealed class ReportStagesSql
    {
        private readonly Dictionary<string, StageDefinition> _byId = new(StringComparer.Ordinal);

        public ReportStagesSql(PipelineDefinition version, IEnumerable<PipelineDefinition> allVersions)
        {
            Version = version;
            var kinds = new Dictionary<string, StageKind>(StringComparer.Ordinal);
            var reentries = new HashSet<(string Trigger, string Stage)>();
            foreach (var definition in allVersions.OrderBy(d => d.Version))
            {
                foreach (var stage in definition.Stages)
                {
                    kinds[stage.Id] = stage.Kind;
                }

                foreach (var transition in definition.Transitions)
                {
                    if (transition.Kind == TransitionKind.Transition && string.Equals(transition.From, transition.To, StringComparison.Ordinal))
                    {
                        reentries.Add((transition.Trigger, transition.From));
                    }
                }
            }

            foreach (var stage in version.Stages)
            {
                _byId[stage.Id] = stage;
                kinds[stage.Id] = stage.Kind;
            }

            Ids = [.. kinds.Keys];
            Kinds = [.. kinds.Values.Select(KindCode)];
            InVersion = [.. kinds.Keys.Select(_byId.ContainsKey)];
            ReentryTriggers = [.. reentries.Select(r => r.Trigger)];
            ReentryStages = [.. reentries.Select(r => r.Stage)];
            var ordered = version.Stages.Select((s, i) => (Stage: s, Index: i)).OrderBy(x => x.Stage.Order).ThenBy(x => x.Index).Select(x => x.Stage).ToList();
            Bars = [.. ordered.Where(s => s.Kind is StageKind.Open or StageKind.Won)];
            OpenStages = [.. ordered.Where(s => s.Kind == StageKind.Open)];
        }

        public PipelineDefinition Version { get; }

        public string[] Ids { get; }

        public int[] Kinds { get; }

        public bool[] InVersion { get; }

        public string[] ReentryTriggers { get; }

        public string[] ReentryStages { get; }

        public StageDefinition[] Bars { get; }

        public StageDefinition[] OpenStages { get; }

        public (int Known, int Order, string Id) SortKey(string id) =>
            _byId.TryGetValue(id, out var stage) ? (0, stage.Order, stage.Id) : (1, 0, id);

        public FlowCell Cell(string from, string to, int count) =>
            FlowCell.Classify(from, to, count, _byId.GetValueOrDefault(from), _byId.GetValueOrDefault(to), Bars);
    }
}
