using System.Globalization;

namespace SalesFlow;

/// <summary>Collects the <see cref="InputLimits"/> problems of one request, then throws them together.</summary>
internal sealed class InputCheck(InputLimits limits)
{
    private List<InputProblem>? _problems;

    public InputCheck Id(string? value, string input) => Name(value, input, limits.MaxIdLength, nameof(InputLimits.MaxIdLength));

    public InputCheck Actor(string? value, string input) => Name(value, input, limits.MaxActorLength, nameof(InputLimits.MaxActorLength));

    public InputCheck OptionalId(string? value, string input) => value is null ? this : Id(value, input);

    public InputCheck OptionalActor(string? value, string input) => value is null ? this : Actor(value, input);

    public InputCheck Note(string? value, string input) => Text(value, input, limits.MaxNoteLength, nameof(InputLimits.MaxNoteLength));

    public InputCheck Reason(string? value, string input) => Text(value, input, limits.MaxReasonLength, nameof(InputLimits.MaxReasonLength));

    public InputCheck Properties(IReadOnlyDictionary<string, string>? properties, string input)
    {
        if (properties is null)
        {
            return this;
        }

        if (properties.Count > limits.MaxProperties)
        {
            Add(input, "too-many", $"{input} holds {Number(properties.Count)} properties; the limit is {Number(limits.MaxProperties)} (InputLimits.MaxProperties).");
        }

        foreach (var (name, value) in properties)
        {
            // The name is an id the caller chose; in a message it is shown only when it is a clean one.
            var clean = !string.IsNullOrWhiteSpace(name) && name.Length <= limits.MaxIdLength && !HasControl(name);
            var at = clean ? $"{input}[\"{name}\"]" : $"{input} (a property name)";
            Id(name, at);
            PropertyValue(value, at);
        }

        return this;
    }

    public InputCheck PropertyValue(string? value, string input) => Text(value, input, limits.MaxPropertyValueLength, nameof(InputLimits.MaxPropertyValueLength));

    /// <summary>Gets the problems found so far; <see langword="null"/> when there are none.</summary>
    public IReadOnlyList<InputProblem>? Problems => _problems;

    public void ThrowIfAny()
    {
        if (_problems is { Count: > 0 } problems)
        {
            throw new DealInputException(problems);
        }
    }

    private InputCheck Name(string? value, string input, int max, string limit)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(input, "blank", $"{input} is blank; give a value.");
            return this;
        }

        if (value.Length > max)
        {
            Add(input, "too-long", $"{input} is {Number(value.Length)} characters long; the limit is {Number(max)} (InputLimits.{limit}).");
        }

        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            Add(input, "edge-space", $"{input} starts or ends with white space; trim it.");
        }

        if (HasControl(value))
        {
            Add(input, "control-character", $"{input} holds a control character (such as a line break or NUL); ids and names may not.");
        }

        // Half a surrogate pair has no UTF-8 form: a database stores U+FFFD in its place, so two such ids would be one.
        if (DealStoreChecks.HasUnpairedSurrogate(value))
        {
            Add(input, "unpaired-surrogate", $"{input} holds half of a surrogate pair (text that is not valid Unicode); ids and names may not.");
        }

        return this;
    }

    private InputCheck Text(string? value, string input, int max, string limit)
    {
        if (value is null)
        {
            return this;
        }

        if (value.Length > max)
        {
            Add(input, "too-long", $"{input} is {Number(value.Length)} characters long; the limit is {Number(max)} (InputLimits.{limit}).");
        }

        if (HasControlOtherThanLineBreaksAndTabs(value))
        {
            Add(input, "control-character", $"{input} holds a control character other than a line break or tab (such as NUL).");
        }

        return this;
    }

    // char.IsControl is U+0000–U+001F and U+007F–U+009F; searched vectorized, without an enumerator per string (every write checks several).
    private static bool HasControl(ReadOnlySpan<char> value) =>
        value.IndexOfAnyInRange('\u0000', '\u001F') >= 0 || value.IndexOfAnyInRange('\u007F', '\u009F') >= 0;

    private static bool HasControlOtherThanLineBreaksAndTabs(ReadOnlySpan<char> value)
    {
        if (value.IndexOfAnyInRange('\u007F', '\u009F') >= 0)
        {
            return true;
        }

        for (var i = value.IndexOfAnyInRange('\u0000', '\u001F'); i >= 0; i = value.IndexOfAnyInRange('\u0000', '\u001F'))
        {
            if (value[i] is not ('\n' or '\r' or '\t'))
            {
                return true;
            }

            value = value[(i + 1)..];
        }

        return false;
    }

    private void Add(string input, string rule, string message) => (_problems ??= []).Add(new InputProblem(input, rule, message));

    private static string Number(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
