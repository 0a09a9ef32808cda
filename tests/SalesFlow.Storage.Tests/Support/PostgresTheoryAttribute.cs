namespace SalesFlow.Storage.Tests.Support;

/// <summary>A theory that needs PostgreSQL: skipped with a reason locally when there is no server, never skipped under CI.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (PostgresEnvironment.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
