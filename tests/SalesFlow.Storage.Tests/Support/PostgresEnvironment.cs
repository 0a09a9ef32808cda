using Npgsql;

namespace SalesFlow.Storage.Tests.Support;

/// <summary>
/// Where the PostgreSQL tests find their server: the connection string in <c>SALESFLOW_POSTGRES</c>.
/// Locally, a missing or unreachable server skips them with a reason; with <c>CI=true</c> they run and fail.
/// </summary>
public static class PostgresEnvironment
{
    public const string Variable = "SALESFLOW_POSTGRES";

    private static readonly Lazy<string?> LazySkipReason = new(ComputeSkipReason);

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    /// <summary>Gets why the PostgreSQL tests are skipped, or <see langword="null"/> when they run (always under CI).</summary>
    public static string? SkipReason => LazySkipReason.Value;

    public static string RequireConnectionString() =>
        ConnectionString ?? throw new InvalidOperationException(
            $"CI=true but {Variable} is not set: the PostgreSQL suite must run in CI and is never skipped there. " +
            "Source .ci/postgres.sh before `dotnet test` (see docs/storage.md).");

    private static string? ComputeSkipReason()
    {
        if (IsCi)
        {
            return null;
        }

        if (ConnectionString is not { } connectionString)
        {
            return $"PostgreSQL tests need a server: set {Variable} to an Npgsql connection string " +
                "(`source .ci/postgres.sh` starts a local one; see docs/storage.md).";
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 5 };
            using var connection = new NpgsqlConnection(builder.ConnectionString);
            connection.Open();
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException or InvalidOperationException)
        {
            return $"PostgreSQL at {Variable} is unreachable ({ex.GetType().Name}: {ex.Message}); " +
                "start it with `source .ci/postgres.sh` (see docs/storage.md).";
        }
    }
}
