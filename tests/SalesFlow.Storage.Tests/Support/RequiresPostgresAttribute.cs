using SalesFlow.Testing;

namespace SalesFlow.Storage.Tests.Support;

/// <summary>
/// Marks a contract test class whose store needs the PostgreSQL server of <see cref="PostgresEnvironment"/>: its tests
/// are skipped with a reason locally when there is no server, never under CI.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : SkipStoreContractAttribute
{
    public override string? Reason => PostgresEnvironment.SkipReason;
}
