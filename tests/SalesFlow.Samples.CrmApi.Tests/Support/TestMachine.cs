namespace SalesFlow.Samples.CrmApi.Tests.Support;

/// <summary>What the machine offers the tests that need more than .NET: a headless Chromium and a PostgreSQL server.</summary>
public static class TestMachine
{
    public const string PostgresVariable = "SALESFLOW_POSTGRES";

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Gets Chromium: <c>CHROME_BIN</c>, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("CHROME_BIN") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Gets ChromeDriver: <c>CHROMEDRIVER</c>, else Debian's <c>/usr/bin/chromedriver</c>.</summary>
    public static string ChromeDriverPath => Environment.GetEnvironmentVariable("CHROMEDRIVER") is { Length: > 0 } path ? path : "/usr/bin/chromedriver";

    public static string? PostgresConnectionString => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null;

    /// <summary>Gets why the browser tests are skipped; <see langword="null"/> when they run (always under CI, where a missing browser fails them).</summary>
    public static string? BrowserSkipReason =>
        IsCi || (File.Exists(ChromiumPath) && File.Exists(ChromeDriverPath))
            ? null
            : $"The browser tests need Chromium ({ChromiumPath}) and ChromeDriver ({ChromeDriverPath}): `apt-get install -y chromium chromium-driver` "
              + "(Debian packages chromium and chromium-driver; .ci/run installs them), or set CHROME_BIN and CHROMEDRIVER.";

    /// <summary>Gets why the PostgreSQL test is skipped; <see langword="null"/> when it runs (always under CI).</summary>
    public static string? PostgresSkipReason =>
        IsCi || PostgresConnectionString is not null
            ? null
            : $"The PostgreSQL-configured test needs a server in {PostgresVariable} (an Npgsql connection string): `source .ci/postgres.sh` "
              + "(Debian package postgresql; .ci/run does it).";
}

/// <summary>A fact that needs Chromium and ChromeDriver: skipped with a reason locally when they are missing, never under CI.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (TestMachine.BrowserSkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fact that needs PostgreSQL in <c>SALESFLOW_POSTGRES</c>: skipped with a reason locally when it is not set, never under CI.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TestMachine.PostgresSkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
