using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace SalesFlow.Storage.Tests.Processes;

/// <summary>
/// One run of tests/SalesFlow.LoadWorker as a child process (<c>dotnet SalesFlow.LoadWorker.dll …</c>): started,
/// released with <see cref="GoAsync"/>, then awaited (<see cref="WaitForExitAsync"/>, after <see cref="StopAsync"/> for a
/// worker that runs for a duration) or killed with SIGKILL (<see cref="KillAsync"/>). It collects what the worker wrote: the writes it acknowledged and its final tally.
/// </summary>
public sealed class LoadWorkerProcess : IDisposable
{
    /// <summary>The number of deals the workers share (load-000 … load-099).</summary>
    public const int DealCount = 100;

    private static readonly JsonSerializerOptions TallyJson = new(JsonSerializerDefaults.Web);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly List<(string DealId, long Sequence)> _acknowledged = [];
    private readonly StringBuilder _errors = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _output;
    private readonly Task _errorOutput;
    private string? _tally;

    private LoadWorkerProcess(string workerId, Process process)
    {
        WorkerId = workerId;
        _process = process;
        _output = ReadOutputAsync();
        _errorOutput = ReadErrorsAsync();
    }

    public string WorkerId { get; }

    public string Actor => LoadWorker.LoadPipeline.Actor(WorkerId);

    public bool WasKilled { get; private set; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>Gets the writes the worker reported accepted so far: deal id and the sequence of its event.</summary>
    public IReadOnlyList<(string DealId, long Sequence)> Acknowledged
    {
        get
        {
            lock (_acknowledged)
            {
                return [.. _acknowledged];
            }
        }
    }

    /// <summary>Gets how many writes the worker has reported accepted so far.</summary>
    public int AcknowledgedCount
    {
        get
        {
            lock (_acknowledged)
            {
                return _acknowledged.Count;
            }
        }
    }

    /// <summary>Gets the worker's final tally, once it has exited on its own.</summary>
    public LoadWorkerTally? Tally => _tally is null ? null : JsonSerializer.Deserialize<LoadWorkerTally>(_tally, TallyJson);

    public static string WorkerPath
    {
        get
        {
            var path = typeof(LoadWorkerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "LoadWorkerPath")?.Value;
            return path is { Length: > 0 } && File.Exists(path)
                ? path
                : throw new InvalidOperationException(
                    $"SalesFlow.LoadWorker.dll is not at '{path}', where the test project's build found it. Build the solution (dotnet build SalesFlow.sln) before running the process tests.");
        }
    }

    /// <summary>Starts a worker and waits until its store is open; it writes nothing before <see cref="GoAsync"/>.</summary>
    /// <param name="store">The store arguments: <c>sqlite FILE</c> or <c>postgres CONNECTION SCHEMA</c>.</param>
    /// <param name="workerId">The worker's id (its events' actor is derived from it).</param>
    /// <param name="seed">The seed of the worker's random choices.</param>
    /// <param name="run">A number of writes, or a duration such as <c>20s</c>.</param>
    /// <param name="concurrency">How many write loops the worker runs at once.</param>
    /// <param name="thinkMilliseconds">How long each write waits between reading the deal and saving it.</param>
    public static async Task<LoadWorkerProcess> StartAsync(IReadOnlyList<string> store, string workerId, int seed, string run, int concurrency, int thinkMilliseconds = 0)
    {
        var start = new ProcessStartInfo(DotnetPath())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WorkerPath);
        foreach (var argument in store)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in (string[])[workerId, seed.ToString(CultureInfo.InvariantCulture), run, DealCount.ToString(CultureInfo.InvariantCulture), concurrency.ToString(CultureInfo.InvariantCulture), thinkMilliseconds.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        // A killed worker is the point of some runs: no crash dump.
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        var worker = new LoadWorkerProcess(workerId, Process.Start(start) ?? throw new InvalidOperationException("The load worker did not start."));
        var ready = await Task.WhenAny(worker._ready.Task, worker._output, Task.Delay(StartTimeout));
        if (ready != worker._ready.Task)
        {
            worker.Dispose();
            throw new InvalidOperationException($"Load worker {workerId} did not get ready: {worker}");
        }

        return worker;
    }

    /// <summary>Lets the worker begin writing.</summary>
    public async Task GoAsync()
    {
        await _process.StandardInput.WriteLineAsync("GO");
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Asks the worker to finish its current writes and exit normally, with its tally.</summary>
    public async Task StopAsync()
    {
        await _process.StandardInput.WriteLineAsync("STOP");
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits until the worker has acknowledged at least <paramref name="count"/> writes (or has exited).</summary>
    public async Task WaitForAcknowledgedAsync(int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (AcknowledgedCount < count && !_process.HasExited && deadline.Elapsed < timeout)
        {
            await Task.Delay(2);
        }
    }

    /// <summary>Kills the worker with SIGKILL (what <see cref="Process.Kill()"/> sends on Linux) and collects its output.</summary>
    public async Task KillAsync()
    {
        WasKilled = !_process.HasExited;
        _process.Kill();
        await _process.WaitForExitAsync();
        await Task.WhenAll(_output, _errorOutput);
    }

    /// <summary>Waits for the worker to exit on its own and collects its output.</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            await Task.WhenAll(_output, _errorOutput);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Load worker {WorkerId} ran for more than {timeout}: {this}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    public override string ToString() =>
        $"worker {WorkerId}: {(_process.HasExited ? $"exit code {_process.ExitCode}" : "running")}, {Acknowledged.Count} writes acknowledged, tally {_tally ?? "none"}; errors:\n{Errors}";

    // The dotnet host running these tests, so the child runs on the same runtime.
    private static string DotnetPath()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
    }

    private async Task ReadOutputAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("ACK ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                lock (_acknowledged)
                {
                    _acknowledged.Add((parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture)));
                }
            }
            else if (line.StartsWith("TALLY ", StringComparison.Ordinal))
            {
                _tally = line["TALLY ".Length..];
            }
            else if (line == "READY")
            {
                _ready.TrySetResult();
            }
        }
    }

    private async Task ReadErrorsAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            lock (_errors)
            {
                _errors.AppendLine(line);
            }
        }
    }
}

/// <summary>The worker's last line: what it wrote and how often it lost a race.</summary>
public sealed record LoadWorkerTally(string Worker, long Moves, long Activities, long MoveConflicts, long ActivityConflicts, double Seconds)
{
    public long Accepted => Moves + Activities;

    public long Conflicts => MoveConflicts + ActivityConflicts;
}
