using Spectre.Console;

namespace SalesFlow.Samples.Console;

/// <summary>Where the commands write: the console given to the app (a test console in tests), else Spectre's default.</summary>
internal static class Output
{
    private static readonly AsyncLocal<IAnsiConsole?> Current = new();

    public static IAnsiConsole Console
    {
        get => Current.Value ?? AnsiConsole.Console;
        set => Current.Value = value;
    }

    /// <summary>
    /// The console for a real run. When the output is piped or redirected, lines are not wrapped to a terminal's width
    /// (a table cell broken in the middle of a word is useless to the program reading it) and no colour codes are written.
    /// </summary>
    public static IAnsiConsole ForProcess(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            console.Profile.Width = PipedWidth;
        }

        return console;
    }

    public const int PipedWidth = 1000;
}
