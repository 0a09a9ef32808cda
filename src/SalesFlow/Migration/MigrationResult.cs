using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace SalesFlow;

/// <summary>
/// What applying a <see cref="PipelineMigration"/> did: the counts, and one outcome per deal the run looked at.
/// Made by <see cref="SalesFlowEngine.ApplyMigrationAsync(PipelineMigration, MigrationRequest, CancellationToken)"/>. Immutable.
/// </summary>
public sealed class MigrationResult
{
    internal MigrationResult(PipelineMigration migration, IReadOnlyList<DealMigrationOutcome> deals, IReadOnlyList<DealDataDamagedException> damaged)
    {
        Migration = migration;
        Deals = deals.ToImmutableArray();
        Damaged = damaged.ToImmutableArray();
        Migrated = deals.Count(d => d.Status == DealMigrationStatus.Migrated);
        SkippedAlreadyMigrated = deals.Count(d => d.Status == DealMigrationStatus.SkippedAlreadyMigrated);
        SkippedUnmapped = deals.Count(d => d.Status == DealMigrationStatus.SkippedUnmappedStage);
        SkippedUnmetGuards = deals.Count(d => d.Status == DealMigrationStatus.SkippedUnmetGuards);
        Failed = deals.Count(d => d.Status == DealMigrationStatus.Failed) + damaged.Count;
    }

    /// <summary>Gets the migration applied.</summary>
    public PipelineMigration Migration { get; }

    /// <summary>Gets one outcome per deal the run looked at, ordered by id (ordinal).</summary>
    public IReadOnlyList<DealMigrationOutcome> Deals { get; }

    /// <summary>Gets the deals of the old version the store could not read; they count as <see cref="Failed"/>.</summary>
    public IReadOnlyList<DealDataDamagedException> Damaged { get; }

    /// <summary>Gets how many deals this run moved to the new version.</summary>
    public int Migrated { get; }

    /// <summary>Gets how many deals were found already on the new version when their turn came (migrated meanwhile by another run).</summary>
    public int SkippedAlreadyMigrated { get; }

    /// <summary>Gets how many deals stayed on the old version because their stage goes nowhere in the new one.</summary>
    public int SkippedUnmapped { get; }

    /// <summary>Gets how many deals stayed on the old version because of unmet guards (<see cref="PipelineMigration.SkipDealsWithUnmetGuards"/>).</summary>
    public int SkippedUnmetGuards { get; }

    /// <summary>Gets how many deals could not be migrated: conflicts beyond the retries, hooks that refused, deals that could not be read.</summary>
    public int Failed { get; }

    /// <summary>Summarises the run: the counts, then one line per deal that was not migrated.</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Migration of {Migration.PipelineId} v{Migration.FromVersion} -> v{Migration.ToVersion}: ")
            .Append(CultureInfo.InvariantCulture, $"{Migrated} migrated, {SkippedAlreadyMigrated} already migrated, {SkippedUnmapped} unmapped, ")
            .Append(CultureInfo.InvariantCulture, $"{SkippedUnmetGuards} skipped for unmet guards, {Failed} failed.");
        foreach (var deal in Deals.Where(d => d.Status != DealMigrationStatus.Migrated))
        {
            text.AppendLine().Append("  ").Append(deal);
        }

        foreach (var damaged in Damaged)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  {damaged.DealId}: damaged ({damaged.Problem})");
        }

        return text.ToString();
    }
}

/// <summary>What applying a migration did to one deal.</summary>
public enum DealMigrationStatus
{
    /// <summary>The deal moved to the new version; its history has one <see cref="DealEventKind.Migrated"/> event for it.</summary>
    Migrated = 0,

    /// <summary>The deal was already on the new version when its turn came; nothing was written.</summary>
    SkippedAlreadyMigrated = 1,

    /// <summary>The deal's stage goes nowhere in the new version; nothing was written.</summary>
    SkippedUnmappedStage = 2,

    /// <summary>The deal has unmet guards in its new stage and the migration skips such deals; nothing was written.</summary>
    SkippedUnmetGuards = 3,

    /// <summary>The deal could not be migrated (see <see cref="DealMigrationOutcome.Error"/>); nothing was written.</summary>
    Failed = 4,
}

/// <summary>One deal of a <see cref="MigrationResult"/>.</summary>
public sealed record DealMigrationOutcome
{
    /// <summary>Gets the deal's id.</summary>
    public required string DealId { get; init; }

    /// <summary>Gets what happened to the deal.</summary>
    public required DealMigrationStatus Status { get; init; }

    /// <summary>Gets the deal's stage before the migration.</summary>
    public required string FromStage { get; init; }

    /// <summary>Gets the deal's stage in the new version; <see langword="null"/> when its stage goes nowhere.</summary>
    public string? ToStage { get; init; }

    /// <summary>Gets the guards the deal does not meet in its new stage (as in <see cref="DealMigrationPlan.UnmetGuards"/>).</summary>
    public IReadOnlyList<UnmetGuard> UnmetGuards { get; init; } = [];

    /// <summary>Gets the deal after the migration, for <see cref="DealMigrationStatus.Migrated"/>.</summary>
    public Deal? Deal { get; init; }

    /// <summary>Gets why the deal failed, for <see cref="DealMigrationStatus.Failed"/>: a <see cref="DealConflictException"/> or a <see cref="HookAbortedException"/>.</summary>
    public SalesFlowException? Error { get; init; }

    /// <inheritdoc/>
    public override string ToString()
    {
        var target = ToStage ?? "(no stage)";
        var guards = UnmetGuards.Count == 0 ? "" : "; unmet: " + string.Join(", ", UnmetGuards.Select(g => g.Code));
        var error = Error is null ? "" : "; " + Error.Message;
        return $"{DealId}: {FromStage} -> {target} ({Status}){guards}{error}";
    }
}
