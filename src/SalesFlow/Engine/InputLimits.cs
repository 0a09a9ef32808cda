namespace SalesFlow;

/// <summary>
/// The limits every write entry point of <see cref="SalesFlowEngine"/> checks before anything is saved: lengths of ids,
/// actors, notes, reasons and properties, and the characters they may hold. Lengths count UTF-16 code units
/// (<see cref="string.Length"/>). A request that breaks any of them is refused with one <see cref="DealInputException"/>
/// listing every problem.
/// </summary>
/// <remarks>
/// Ids — deal, pipeline, trigger, checklist item, activity type and property names — must not be blank, must not start or
/// end with white space, and must hold no control character. Actors and owners follow the same rules. Notes, reasons,
/// override justifications and property values may hold line breaks and tabs, but no other control character (a NUL
/// cannot be stored by PostgreSQL, for one).
/// </remarks>
public sealed record InputLimits
{
    /// <summary>Gets the default limits.</summary>
    public static InputLimits Default { get; } = new();

    /// <summary>Gets the longest id: deal, pipeline, trigger, checklist item, activity type or property name.</summary>
    /// <value>The default value is 200.</value>
    public int MaxIdLength { get; init; } = 200;

    /// <summary>Gets the longest actor or owner.</summary>
    /// <value>The default value is 256.</value>
    public int MaxActorLength { get; init; } = 256;

    /// <summary>Gets the longest note.</summary>
    /// <value>The default value is 16,384 (16 K characters).</value>
    public int MaxNoteLength { get; init; } = 16 * 1024;

    /// <summary>Gets the longest reason or override justification.</summary>
    /// <value>The default value is 4,096.</value>
    public int MaxReasonLength { get; init; } = 4 * 1024;

    /// <summary>Gets the most properties one request may carry.</summary>
    /// <value>The default value is 64.</value>
    public int MaxProperties { get; init; } = 64;

    /// <summary>Gets the longest property value.</summary>
    /// <value>The default value is 4,096.</value>
    public int MaxPropertyValueLength { get; init; } = 4 * 1024;

    /// <summary>Lists every problem of these limits (each must be at least 1); empty when they are valid.</summary>
    /// <returns>The problems, each naming its setting.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Check(MaxIdLength, nameof(MaxIdLength));
        Check(MaxActorLength, nameof(MaxActorLength));
        Check(MaxNoteLength, nameof(MaxNoteLength));
        Check(MaxReasonLength, nameof(MaxReasonLength));
        Check(MaxProperties, nameof(MaxProperties));
        Check(MaxPropertyValueLength, nameof(MaxPropertyValueLength));
        return problems;

        void Check(int value, string name)
        {
            if (value < 1)
            {
                problems.Add($"SalesFlow:InputLimits:{name} is {value}; use 1 or more.");
            }
        }
    }
}

/// <summary>One problem of a request refused by <see cref="InputLimits"/>: which input, which rule. It never holds the value.</summary>
/// <param name="Input">The input, for example <c>dealId</c> or <c>FireRequest.Note</c> or <c>StartRequest.Properties["source"]</c>.</param>
/// <param name="Rule">The rule broken: <c>blank</c>, <c>edge-space</c>, <c>control-character</c>, <c>unpaired-surrogate</c>, <c>too-long</c> or <c>too-many</c>.</param>
/// <param name="Message">What is wrong and the limit, without the value.</param>
public sealed record InputProblem(string Input, string Rule, string Message);

/// <summary>
/// A write was refused before anything was saved: some of its inputs break the engine's <see cref="InputLimits"/>. Lists
/// every problem; the message names inputs and rules, never the values (which may be personal data).
/// </summary>
public sealed class DealInputException : ArgumentException
{
    /// <summary>Initializes a new instance of the <see cref="DealInputException"/> class.</summary>
    /// <param name="problems">Every problem found; at least one.</param>
    public DealInputException(IReadOnlyList<InputProblem> problems)
        : base(MessageOf(problems))
    {
        Problems = problems;
    }

    /// <summary>Gets every problem found.</summary>
    public IReadOnlyList<InputProblem> Problems { get; }

    private static string MessageOf(IReadOnlyList<InputProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return "The request was refused; nothing was saved:" + Environment.NewLine + "- " + string.Join(Environment.NewLine + "- ", problems.Select(p => p.Message));
    }
}
