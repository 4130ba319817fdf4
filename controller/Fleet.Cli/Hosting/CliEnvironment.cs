namespace Fleet.Cli.Hosting;

/// <summary>
/// What the console reads from and writes to, passed in rather than taken from <see cref="Console"/>
/// so a test can run a command against string writers, a fixed width and its own variables.
/// </summary>
internal sealed record CliEnvironment
{
    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>False when stdout is a pipe or a file: tables go plain, progress goes line by line.</summary>
    public required bool OutIsTerminal { get; init; }

    /// <summary>Columns of the terminal; 80 when stdout is not one.</summary>
    public int Width { get; init; } = 80;

    public required Func<string, string?> Variable { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How often <c>rollout watch</c> and <c>deploy --wait</c> ask the controller again.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public static CliEnvironment FromProcess()
    {
        var terminal = !Console.IsOutputRedirected;
        return new CliEnvironment
        {
            Out = Console.Out,
            Error = Console.Error,
            OutIsTerminal = terminal,
            Width = terminal ? TerminalWidth() : 80,
            Variable = Environment.GetEnvironmentVariable,
        };
    }

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth is > 0 and var width ? width : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
