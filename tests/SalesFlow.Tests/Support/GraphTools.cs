using System.Diagnostics;
using System.Text;

namespace SalesFlow.Tests.Support;

/// <summary>The real graph tools the export tests check their output with.</summary>
public enum GraphTool
{
    /// <summary>Graphviz <c>dot</c> (Debian package <c>graphviz</c>).</summary>
    Dot,

    /// <summary>The Mermaid parser from npm's <c>mermaid</c>, run by node in <c>tests/tools/mermaid-check</c>.</summary>
    Mermaid,
}

/// <summary>
/// Finds and runs Graphviz <c>dot</c> and the Mermaid checker. Locally a missing tool skips the tests that need it,
/// with a reason naming what to install; with <c>CI=true</c> they run and fail (<c>.ci/run</c> installs both).
/// </summary>
public static class GraphTools
{
    private static readonly Lazy<string?> DotSkip = new(() => Probe("dot", "-V") ? null :
        "Graphviz `dot` is not installed: `apt-get install -y graphviz` (Debian package graphviz; .ci/run installs it).");

    private static readonly Lazy<string?> MermaidSkip = new(ComputeMermaidSkip);

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Gets the repository root: the nearest folder above the test binaries holding SalesFlow.sln.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static string MermaidCheckDirectory => Path.Combine(RepositoryRoot, "tests", "tools", "mermaid-check");

    /// <summary>Gets why tests needing the tool are skipped; <see langword="null"/> when they run (always under CI).</summary>
    public static string? SkipReason(GraphTool tool) =>
        IsCi ? null : tool == GraphTool.Dot ? DotSkip.Value : MermaidSkip.Value;

    /// <summary>Renders a DOT file to SVG with Graphviz; returns the exit code and what it wrote to stderr.</summary>
    public static (int ExitCode, string Errors) RunDot(string file)
    {
        var result = Run("dot", ["-Tsvg", "-o", Path.ChangeExtension(file, ".svg"), file], workingDirectory: null);
        return (result.ExitCode, result.Errors);
    }

    /// <summary>Parses every file with the real Mermaid parser in ONE node process; returns each file's error or null.</summary>
    public static IReadOnlyDictionary<string, string?> ParseMermaid(IReadOnlyCollection<string> files)
    {
        var result = Run("node", ["check.mjs", .. files], MermaidCheckDirectory);
        var outcomes = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var line in result.Output.Split('\n'))
        {
            if (line.StartsWith("OK ", StringComparison.Ordinal))
            {
                var path = line[3..];
                outcomes[files.First(f => path.StartsWith(f, StringComparison.Ordinal))] = null;
            }
            else if (line.StartsWith("ERROR ", StringComparison.Ordinal))
            {
                var path = files.First(f => line[6..].StartsWith(f + ":", StringComparison.Ordinal));
                outcomes[path] = line[(6 + path.Length + 1)..].Trim();
            }
        }

        var missing = files.Where(f => !outcomes.ContainsKey(f)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The Mermaid checker gave no verdict for {missing.Count} file(s) (exit code {result.ExitCode}); is it installed (`npm ci` in tests/tools/mermaid-check)?\nstdout:\n{result.Output}\nstderr:\n{result.Errors}");
        }

        return outcomes;
    }

    /// <summary>Writes text as UTF-8 without a byte order mark (neither tool wants one).</summary>
    public static void WriteFile(string path, string text) => File.WriteAllText(path, text, new UTF8Encoding(false));

    private static (int ExitCode, string Output, string Errors) Run(string fileName, IEnumerable<string> arguments, string? workingDirectory)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within 2 minutes.");
        }

        return (process.ExitCode, output.GetAwaiter().GetResult(), errors.GetAwaiter().GetResult());
    }

    private static bool Probe(string fileName, params string[] arguments)
    {
        try
        {
            return Run(fileName, arguments, workingDirectory: null).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string? ComputeMermaidSkip()
    {
        if (!Probe("node", "--version"))
        {
            return "node is not installed: `apt-get install -y nodejs npm` (Debian packages nodejs and npm), then `npm ci` in tests/tools/mermaid-check.";
        }

        return Directory.Exists(Path.Combine(MermaidCheckDirectory, "node_modules", "mermaid"))
            ? null
            : "The Mermaid checker is not installed: run `npm ci` in tests/tools/mermaid-check (npm packages mermaid and jsdom; .ci/run does it).";
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SalesFlow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No SalesFlow.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A fact that needs a real graph tool: skipped with a reason locally when it is missing, never skipped under CI.</summary>
public sealed class GraphToolFactAttribute : FactAttribute
{
    public GraphToolFactAttribute(GraphTool tool)
    {
        if (GraphTools.SkipReason(tool) is { } reason)
        {
            Skip = reason;
        }
    }
}
