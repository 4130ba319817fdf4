using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Fleet.Cli.Api;
using Fleet.Cli.Hosting;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Fleet.Cli.Output;

/// <summary>
/// Everything a command prints goes through here: data as a table (boxed on a terminal, plain columns
/// in a pipe) or as JSON (and then nothing else on stdout), failures as one line on stderr.
/// </summary>
internal sealed class CliOutput
{
    private readonly TextWriter _out;

    public CliOutput(CliEnvironment environment, bool json, bool noColor)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _out = environment.Out;
        Error = environment.Error;
        Json = json;
        Terminal = environment.OutIsTerminal && !json;
        Color = Terminal && !noColor && string.IsNullOrEmpty(environment.Variable("NO_COLOR"));
        Console = CreateConsole(_out, environment.Width, Terminal, Color);
    }

    public IAnsiConsole Console { get; }

    public TextWriter Error { get; }

    public bool Json { get; }

    /// <summary>Stdout is a terminal and no JSON was asked for: live progress and boxed tables.</summary>
    public bool Terminal { get; }

    public bool Color { get; }

    /// <summary>A console over <paramref name="writer"/> of a fixed width; what tests render into.</summary>
    public static IAnsiConsole CreateConsole(TextWriter writer, int width, bool terminal, bool color)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = color ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = Math.Max(width, 40);
        console.Profile.Capabilities.Unicode = terminal;
        return console;
    }

    public void WriteJson<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        _out.WriteLine(JsonSerializer.Serialize(value, typeInfo));
        _out.Flush();
    }

    public void Write(IRenderable renderable) => Console.Write(renderable);

    /// <summary>A line of plain text: never read as markup, never wrapped.</summary>
    public void Line(string text)
    {
        _out.WriteLine(text);
        _out.Flush();
    }

    /// <summary>A table with these headers, boxed on a terminal and plain columns elsewhere.</summary>
    public Table Table(params string[] headers)
    {
        var table = new Table { Border = Terminal ? TableBorder.Rounded : TableBorder.None, ShowHeaders = true };
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header, Terminal ? new Style(decoration: Decoration.Bold) : Style.Plain)) { NoWrap = false });
        }

        return table;
    }

    /// <summary>The answer of a data command: its JSON, or its text; a failure as one line. Returns the exit code.</summary>
    public int Print<T>(ApiResult<T> result, JsonTypeInfo<T> typeInfo, Func<T, IRenderable> render)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(render);
        if (!result.Succeeded)
        {
            return Fail(result.Failure);
        }

        if (Json)
        {
            WriteJson(result.Value, typeInfo);
        }
        else
        {
            Write(render(result.Value));
        }

        return ExitCodes.Ok;
    }

    /// <summary>As <see cref="Print{T}(ApiResult{T}, JsonTypeInfo{T}, Func{T, IRenderable})"/>, the text being plain lines.</summary>
    public int PrintLines<T>(ApiResult<T> result, JsonTypeInfo<T> typeInfo, Func<T, string> text)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(text);
        return Print(result, typeInfo, value =>
        {
            Line(text(value));
            return Spectre.Console.Text.Empty;
        });
    }

    /// <summary>Writes the failure as one line on stderr; returns the exit code 1.</summary>
    public int Fail(ApiFailure failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return Fail(failure.Message);
    }

    public int Fail(string message)
    {
        Error.WriteLine("error: " + message);
        Error.Flush();
        return ExitCodes.Failed;
    }

    /// <summary>A usage mistake found after parsing (e.g. a selector that does not parse): exit code 2.</summary>
    public int Usage(string message)
    {
        Error.WriteLine("error: " + message);
        Error.Flush();
        return ExitCodes.Usage;
    }

    /// <summary>A note for a person (progress, hints): stderr, so stdout stays data.</summary>
    public void Note(string message)
    {
        Error.WriteLine(message);
        Error.Flush();
    }
}
