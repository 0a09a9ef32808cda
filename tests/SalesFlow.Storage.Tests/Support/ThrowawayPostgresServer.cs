using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SalesFlow.Storage.Tests.Support;

/// <summary>
/// A PostgreSQL server of the test run's own, started from the server binaries on the machine (Debian's
/// <c>postgresql</c> package puts them in <c>/usr/lib/postgresql/VERSION/bin</c>) when <c>SALESFLOW_POSTGRES</c> names
/// none: a fresh cluster in a temporary folder, on a free port, trusted local login, stopped and deleted when the test
/// process ends. Run as root (as CI does), the server runs as the <c>postgres</c> user, since PostgreSQL refuses root.
/// </summary>
internal static class ThrowawayPostgresServer
{
    private const string User = "salesflow";

    /// <summary>Gets the folder of the newest server binaries on the machine, or <see langword="null"/> when there are none.</summary>
    public static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => Path.Combine(d, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var version) ? version : 0)
            .FirstOrDefault();
    }

    /// <summary>Starts the server and returns its connection string; throws with the tools' output when it cannot.</summary>
    public static string Start(string bin)
    {
        RemoveStoppedServers();
        var folder = Directory.CreateTempSubdirectory("salesflow-pg-").FullName;
        var data = Path.Combine(folder, "data");
        var port = FreePort();
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            Run("chown", ["-R", "postgres:postgres", folder], asPostgres: false);
        }

        Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", User, "--auth=trust", "-E", "UTF8", "--no-sync"], asRoot);
        Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o", $"-p {port} -k {folder} -c listen_addresses=localhost -c fsync=off", "start"], asRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Run(Path.Combine(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"], asRoot);
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                // The run is over; a server that will not stop leaves only a temporary folder behind.
            }
        };

        return $"Host=localhost;Port={port};Username={User};Database=postgres";
    }

    // A test host may end before its exit handler has deleted the folder: clear those of servers that no longer run.
    private static void RemoveStoppedServers()
    {
        foreach (var old in Directory.GetDirectories(Path.GetTempPath(), "salesflow-pg-*"))
        {
            try
            {
                if (!File.Exists(Path.Combine(old, "data", "postmaster.pid")))
                {
                    Directory.Delete(old, recursive: true);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another run's folder, or one being created right now: leave it.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string program, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres)
        {
            foreach (var argument in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed with exit code {process.ExitCode}: {error.Trim()} {output.Result.Trim()}");
        }
    }
}
