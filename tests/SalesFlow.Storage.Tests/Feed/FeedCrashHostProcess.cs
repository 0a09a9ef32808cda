using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace SalesFlow.Storage.Tests.Feed;

/// <summary>
/// Runs tests/SalesFlow.FeedCrashHost as a child process (<c>dotnet SalesFlow.FeedCrashHost.dll …</c>) and reads what it
/// reported before it died. The test project builds the host first and records its output path at build time.
/// </summary>
public sealed class FeedCrashHostProcess
{
    public const string Handler = "crash-test";

    /// <summary>The exit code of a host whose store does not implement <see cref="IEventFeedStore"/>.</summary>
    public const int StoreWithoutFeedExitCode = 3;

    private FeedCrashHostProcess(int exitCode, string output, string errors)
    {
        ExitCode = exitCode;
        Output = output;
        Errors = errors;
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Handled = [.. lines.Where(l => l.StartsWith("HANDLED ", StringComparison.Ordinal)).Select(l => l.Split(' ')).Select(p => (ParsePosition(p[1]), p[2], long.Parse(p[3], CultureInfo.InvariantCulture)))];
        Checkpoint = lines.Where(l => l.StartsWith("CHECKPOINT ", StringComparison.Ordinal)).Select(l => (FeedPosition?)ParsePosition(l.Split(' ')[1])).SingleOrDefault();
        LastLines = [.. lines.TakeLast(2)];
    }

    public int ExitCode { get; }

    public string Output { get; }

    public string Errors { get; }

    /// <summary>Gets the events the host's handler completed: position, deal id, sequence.</summary>
    public IReadOnlyList<(FeedPosition Position, string DealId, long Sequence)> Handled { get; }

    /// <summary>Gets the checkpoint the host saw saved before its last commits.</summary>
    public FeedPosition? Checkpoint { get; }

    public IReadOnlyList<string> LastLines { get; }

    public static string HostPath
    {
        get
        {
            var path = typeof(FeedCrashHostProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "FeedCrashHostPath")?.Value;
            return path is { Length: > 0 } && File.Exists(path)
                ? path
                : throw new InvalidOperationException(
                    $"SalesFlow.FeedCrashHost.dll is not at '{path}', where the test project's build found it. Build the solution (dotnet build SalesFlow.sln) before running the crash tests.");
        }
    }

    public static async Task<FeedCrashHostProcess> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetPath())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // FailFast is the point of the run: no crash dump.
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("The crash host did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The crash host ran for more than two minutes. Output so far: " + await output);
        }

        return new FeedCrashHostProcess(process.ExitCode, await output, await errors);
    }

    public override string ToString() => $"exit code {ExitCode}; output:\n{Output}\nerrors:\n{Errors}";

    private static FeedPosition ParsePosition(string text)
    {
        var parts = text.Split('.');
        return new FeedPosition(long.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    // The dotnet host running these tests, so the child runs on the same runtime.
    private static string DotnetPath()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
    }
}
