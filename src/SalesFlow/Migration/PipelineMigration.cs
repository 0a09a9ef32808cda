using System.Collections.Immutable;

namespace SalesFlow;

/// <summary>
/// Describes moving the deals of one pipeline version to another version of the same pipeline: the versions, and
/// where each old stage goes. Plan it with <see cref="SalesFlowEngine.PlanMigrationAsync"/> (a dry run) and apply it
/// with <see cref="SalesFlowEngine.ApplyMigrationAsync(PipelineMigration, MigrationRequest, CancellationToken)"/>.
/// </summary>
/// <remarks>
/// A stage of the old version goes to the stage <see cref="StageMap"/> names for it; a stage the map does not name goes
/// to the stage with the same id in the new version, if there is one. Deals in a stage that goes nowhere cannot be
/// migrated: the plan and the result list them, and they stay on the old version untouched.
/// </remarks>
public sealed record PipelineMigration
{
    private readonly ImmutableDictionary<string, string> _stageMap = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="PipelineMigration"/> class; set the required members in the initializer.</summary>
    public PipelineMigration()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PipelineMigration"/> class.</summary>
    /// <param name="pipelineId">The pipeline whose deals move.</param>
    /// <param name="fromVersion">The version the deals are on.</param>
    /// <param name="toVersion">The version they move to.</param>
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    public PipelineMigration(string pipelineId, int fromVersion, int toVersion)
    {
        PipelineId = pipelineId;
        FromVersion = fromVersion;
        ToVersion = toVersion;
    }

    /// <summary>Gets the id of the pipeline whose deals move.</summary>
    public required string PipelineId { get; init; }

    /// <summary>Gets the version the deals are on now.</summary>
    public required int FromVersion { get; init; }

    /// <summary>Gets the version the deals move to; it must differ from <see cref="FromVersion"/> and may be lower (a rollback).</summary>
    public required int ToVersion { get; init; }

    /// <summary>
    /// Gets the stages that change id: old stage id → new stage id. Stages not listed keep their id when the new
    /// version has it. The given dictionary is copied.
    /// </summary>
    /// <value>The default value is an empty map: every stage keeps its id.</value>
    public IReadOnlyDictionary<string, string> StageMap
    {
        get => _stageMap;
        init => _stageMap = (value ?? throw new ArgumentNullException(nameof(value))).ToImmutableDictionary(StringComparer.Ordinal, StringComparer.Ordinal);
    }

    /// <summary>
    /// Gets a value indicating whether deals with unmet guards in their new stage are left on the old version
    /// (reported as <see cref="DealMigrationStatus.SkippedUnmetGuards"/>) instead of being migrated.
    /// </summary>
    /// <value>
    /// The default value is <see langword="false"/>: unmet guards do not block a migration. They are reported in the
    /// plan, recorded in the migration event (property <c>unmetGuards</c>), and hold back the deal's next forward move
    /// as they would for any deal.
    /// </value>
    public bool SkipDealsWithUnmetGuards { get; init; }

    /// <summary>Returns a copy that also maps <paramref name="oldStageId"/> to <paramref name="newStageId"/>.</summary>
    /// <param name="oldStageId">A stage of the old version.</param>
    /// <param name="newStageId">The stage of the new version its deals go to.</param>
    /// <returns>The new migration description.</returns>
    public PipelineMigration MapStage(string oldStageId, string newStageId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(oldStageId);
        ArgumentException.ThrowIfNullOrWhiteSpace(newStageId);
        return this with { StageMap = _stageMap.SetItem(oldStageId, newStageId) };
    }

    /// <summary>The new stage of a deal in <paramref name="oldStageId"/>, or <see langword="null"/> when the stage goes nowhere.</summary>
    internal string? TargetStage(string oldStageId, PipelineDefinition to) =>
        _stageMap.TryGetValue(oldStageId, out var mapped) ? mapped
        : to.TryGetStage(oldStageId, out _) ? oldStageId
        : null;

    /// <summary>Resolves both versions and checks the description against them, listing every problem at once.</summary>
    /// <exception cref="PipelineNotFoundException">A version is not registered.</exception>
    /// <exception cref="PipelineMigrationException">The description does not fit the versions.</exception>
    internal (PipelineDefinition From, PipelineDefinition To) Resolve(PipelineRegistry pipelines)
    {
        if (string.IsNullOrWhiteSpace(PipelineId))
        {
            throw new PipelineMigrationException(this, ["The pipeline id is empty."]);
        }

        if (FromVersion == ToVersion)
        {
            throw new PipelineMigrationException(this, [$"The migration goes from version {FromVersion} to the same version; give the version the deals move to."]);
        }

        var from = pipelines.Get(PipelineId, FromVersion);
        var to = pipelines.Get(PipelineId, ToVersion);
        var problems = new List<string>();
        if (from.DataType != to.DataType)
        {
            problems.Add($"Version {FromVersion} deals carry {from.DataType.Name} data and version {ToVersion} deals carry {to.DataType.Name}; a migration keeps the deal data, so both versions need the same data type.");
        }

        foreach (var (oldStage, newStage) in _stageMap.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!from.TryGetStage(oldStage, out _))
            {
                problems.Add($"The stage map names stage '{oldStage}', which version {FromVersion} does not have.");
            }

            if (string.IsNullOrWhiteSpace(newStage))
            {
                problems.Add($"The stage map sends stage '{oldStage}' to an empty stage id.");
            }
            else if (!to.TryGetStage(newStage, out _))
            {
                problems.Add($"The stage map sends stage '{oldStage}' to '{newStage}', which version {ToVersion} does not have.");
            }
        }

        return problems.Count > 0 ? throw new PipelineMigrationException(this, problems) : (from, to);
    }
}
