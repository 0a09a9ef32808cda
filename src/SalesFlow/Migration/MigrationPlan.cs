using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace SalesFlow;

/// <summary>
/// The dry run of a <see cref="PipelineMigration"/>: for every deal on the old version, where it would go and what it
/// would not meet there. Made by <see cref="SalesFlowEngine.PlanMigrationAsync"/>, which writes nothing. Immutable.
/// </summary>
public sealed class MigrationPlan
{
    internal MigrationPlan(PipelineMigration migration, PipelineDiff diff, IReadOnlyList<DealMigrationPlan> deals, IReadOnlyList<DealDataDamagedException> damaged)
    {
        Migration = migration;
        Diff = diff;
        Deals = deals.ToImmutableArray();
        Damaged = damaged.ToImmutableArray();
    }

    /// <summary>Gets the migration planned.</summary>
    public PipelineMigration Migration { get; }

    /// <summary>Gets what changed between the two versions.</summary>
    public PipelineDiff Diff { get; }

    /// <summary>Gets every deal found on the old version, ordered by id (ordinal).</summary>
    public IReadOnlyList<DealMigrationPlan> Deals { get; }

    /// <summary>Gets the deals of the old version the store could not read; applying the migration skips them too.</summary>
    public IReadOnlyList<DealDataDamagedException> Damaged { get; }

    /// <summary>Gets the deals that would be migrated.</summary>
    public IEnumerable<DealMigrationPlan> ToMigrate => Deals.Where(d => d.Action == DealMigrationAction.Migrate);

    /// <summary>Gets the deals whose stage goes nowhere in the new version: they cannot be migrated.</summary>
    public IEnumerable<DealMigrationPlan> Unmapped => Deals.Where(d => d.Action == DealMigrationAction.SkipUnmappedStage);

    /// <summary>Gets the deals that would have unmet guards in their new stage (migrated or skipped, by <see cref="PipelineMigration.SkipDealsWithUnmetGuards"/>).</summary>
    public IEnumerable<DealMigrationPlan> WithUnmetGuards => Deals.Where(d => d.UnmetGuards.Count > 0);

    /// <summary>Gets a value indicating whether every deal found can be migrated (none unmapped, skipped or damaged).</summary>
    public bool CanMigrateAll => Damaged.Count == 0 && Deals.All(d => d.Action == DealMigrationAction.Migrate);

    /// <summary>Summarises the plan: counts, then one line per deal that is skipped or has unmet guards.</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Migration of {Migration.PipelineId} v{Migration.FromVersion} -> v{Migration.ToVersion}: ")
            .Append(CultureInfo.InvariantCulture, $"{Deals.Count} deal(s), {ToMigrate.Count()} to migrate, {Unmapped.Count()} unmapped, ")
            .Append(CultureInfo.InvariantCulture, $"{WithUnmetGuards.Count()} with unmet guards, {Damaged.Count} damaged.");
        foreach (var deal in Deals.Where(d => d.Action != DealMigrationAction.Migrate || d.UnmetGuards.Count > 0))
        {
            text.AppendLine().Append("  ").Append(deal);
        }

        return text.ToString();
    }
}

/// <summary>What a migration would do to one deal.</summary>
public enum DealMigrationAction
{
    /// <summary>The deal would move to the new version, in <see cref="DealMigrationPlan.ToStage"/>.</summary>
    Migrate = 0,

    /// <summary>The deal's stage goes nowhere in the new version: it cannot be migrated and stays on the old version.</summary>
    SkipUnmappedStage = 1,

    /// <summary>The deal has unmet guards in its new stage and the migration skips such deals (<see cref="PipelineMigration.SkipDealsWithUnmetGuards"/>).</summary>
    SkipUnmetGuards = 2,
}

/// <summary>One deal of a <see cref="MigrationPlan"/>.</summary>
public sealed record DealMigrationPlan
{
    /// <summary>Gets the deal's id.</summary>
    public required string DealId { get; init; }

    /// <summary>Gets the deal's stage in the old version.</summary>
    public required string FromStage { get; init; }

    /// <summary>Gets the deal's stage in the new version; <see langword="null"/> when its stage goes nowhere.</summary>
    public string? ToStage { get; init; }

    /// <summary>Gets what the migration would do to the deal.</summary>
    public required DealMigrationAction Action { get; init; }

    /// <summary>
    /// Gets the guards the deal does not meet in its new stage (see docs/migration.md, "Unmet guards"): when the new
    /// stage is not the initial one and no transition of the new version into it is open to the deal, the unmet
    /// guards of those transitions; and, when the new stage is open or won, the required checklist items of the open
    /// stages ordered before it that the deal has not completed (<c>checklist.&lt;item&gt;</c>). Each code once.
    /// </summary>
    public IReadOnlyList<UnmetGuard> UnmetGuards { get; init; } = [];

    /// <inheritdoc/>
    public override string ToString()
    {
        var target = ToStage ?? "(no stage)";
        var guards = UnmetGuards.Count == 0 ? "" : "; unmet: " + string.Join(", ", UnmetGuards.Select(g => g.Code));
        return $"{DealId}: {FromStage} -> {target} ({Action}){guards}";
    }
}
