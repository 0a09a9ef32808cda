using Npgsql;

namespace SalesFlow.Storage.Tests.Support;

/// <summary>
/// Where the PostgreSQL tests find their server: the connection string in <c>SALESFLOW_POSTGRES</c>; when it is not set
/// and PostgreSQL's server binaries are on the machine, a throwaway server the run starts itself
/// (<see cref="ThrowawayPostgresServer"/>). Only when neither is there are the tests skipped, with a reason naming the
/// package to install; with <c>CI=true</c> they never skip.
/// </summary>
public static class PostgresEnvironment
{
    public const string Variable = "SALESFLOW_POSTGRES";

    private static readonly Lazy<string?> LazySkipReason = new(ComputeSkipReason);

    private static readonly Lazy<(string? ConnectionString, string? Problem)> Throwaway = new(StartThrowaway);

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : Throwaway.Value.ConnectionString;

    /// <summary>Gets why the PostgreSQL tests are skipped, or <see langword="null"/> when they run (always under CI).</summary>
    public static string? SkipReason => LazySkipReason.Value;

    public static string RequireConnectionString() =>
        ConnectionString ?? throw new InvalidOperationException(
            $"CI=true but {Variable} is not set: the PostgreSQL suite must run in CI and is never skipped there. " +
            "Source .ci/postgres.sh before `dotnet test`, or install the Debian package postgresql so the tests start a server themselves (see docs/storage.md)."
            + (Throwaway.Value.Problem is { } problem ? " " + problem : ""));

    private static string? ComputeSkipReason()
    {
        if (IsCi)
        {
            return null;
        }

        if (ConnectionString is not { } connectionString)
        {
            return Throwaway.Value.Problem ?? $"PostgreSQL tests need a server: install the Debian package postgresql (the tests then start " +
                $"a throwaway server themselves), or set {Variable} to an Npgsql connection string (see docs/storage.md).";
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

    private static (string? ConnectionString, string? Problem) StartThrowaway()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } || ThrowawayPostgresServer.FindBinaries() is not { } bin)
        {
            return (null, null);
        }

        try
        {
            return (ThrowawayPostgresServer.Start(bin), null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return (null, $"PostgreSQL's server binaries are in {bin}, but a throwaway server did not start: {ex.Message}");
        }
    }
}
