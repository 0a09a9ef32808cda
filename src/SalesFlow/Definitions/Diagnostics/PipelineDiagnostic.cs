using System.Globalization;

namespace SalesFlow;

/// <summary>
/// One finding about a pipeline definition, from the builder or the JSON loader: how serious it is, a stable
/// <see cref="Code"/> (listed in the docs), a message that says what to do, and where it is.
/// </summary>
public sealed record PipelineDiagnostic
{
    /// <summary>Initializes a new instance of the <see cref="PipelineDiagnostic"/> class.</summary>
    /// <param name="severity">How serious the finding is.</param>
    /// <param name="code">The stable code, for example <c>SF1010</c>.</param>
    /// <param name="message">What is wrong and what to do about it.</param>
    /// <param name="location">Where it is; <see langword="null"/> when it concerns the whole definition.</param>
    public PipelineDiagnostic(DiagnosticSeverity severity, string code, string message, DiagnosticLocation? location = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        Severity = severity;
        Code = code;
        Message = message;
        Location = location;
    }

    /// <summary>Gets how serious the finding is; a definition with an error is not built.</summary>
    public DiagnosticSeverity Severity { get; }

    /// <summary>Gets the stable code of the finding, for example <c>SF1010</c> (a stage id declared twice).</summary>
    public string Code { get; }

    /// <summary>Gets what is wrong and what to do about it.</summary>
    public string Message { get; }

    /// <summary>Gets where the finding is; <see langword="null"/> when it concerns the whole definition.</summary>
    public DiagnosticLocation? Location { get; }

    /// <summary>Gets a value indicating whether the finding is an error.</summary>
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>Formats the finding as <c>error SF1010 at /stages/3 (line 12, column 5): message</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Severity.ToString().ToLowerInvariant()} {Code}{(Location is null ? "" : " at " + Location)}: {Message}");
}

/// <summary>How serious a <see cref="PipelineDiagnostic"/> is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Worth knowing; nothing to fix.</summary>
    Info = 0,

    /// <summary>Probably a mistake (for example a stage without guidance); the definition is still built.</summary>
    Warning = 1,

    /// <summary>The definition cannot be built until this is fixed.</summary>
    Error = 2,
}

/// <summary>
/// Where a <see cref="PipelineDiagnostic"/> is: a JSON pointer into the definition's JSON form (the file loaded, or the
/// form <see cref="PipelineJson.Export(PipelineDefinition, string?)"/> writes for a builder definition),
/// and, for a loaded file, the line and column (both from 1).
/// </summary>
/// <param name="JsonPointer">The JSON pointer, for example <c>/transitions/4/guards/0</c>; empty for the whole document.</param>
/// <param name="Line">The line, from 1; 0 when not known (a builder definition).</param>
/// <param name="Column">The column, from 1, counted in characters; 0 when not known.</param>
public sealed record DiagnosticLocation(string JsonPointer, int Line = 0, int Column = 0)
{
    /// <summary>Formats the location as <c>/stages/3 (line 12, column 5)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        Line > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{(JsonPointer.Length == 0 ? "/" : JsonPointer)} (line {Line}, column {Column})")
            : (JsonPointer.Length == 0 ? "/" : JsonPointer);
}
