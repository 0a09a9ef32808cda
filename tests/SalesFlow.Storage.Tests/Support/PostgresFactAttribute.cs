namespace SalesFlow.Storage.Tests.Support;

/// <summary>A fact that needs PostgreSQL: skipped with a reason locally when there is no server, never skipped under CI.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresEnvironment.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
