namespace SalesFlow;

/// <summary>A <see cref="PipelineMigration"/> does not fit the pipeline versions it names. <see cref="Problems"/> lists every problem.</summary>
public sealed class PipelineMigrationException : SalesFlowException
{
    internal PipelineMigrationException(PipelineMigration migration, IReadOnlyList<string> problems)
        : base($"The migration of pipeline '{migration.PipelineId}' from version {migration.FromVersion} to {migration.ToVersion} is invalid "
               + $"({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):"
               + Environment.NewLine + "- " + string.Join(Environment.NewLine + "- ", problems)
               + Environment.NewLine + "Nothing was changed. Fix the migration description and run it again.")
    {
        Migration = migration;
        Problems = problems;
    }

    /// <summary>Gets the invalid migration description.</summary>
    public PipelineMigration Migration { get; }

    /// <summary>Gets every problem found, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }
}
