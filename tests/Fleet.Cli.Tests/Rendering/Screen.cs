using Fleet.Cli.Output;
using Spectre.Console.Rendering;

namespace Fleet.Cli.Tests.Rendering;

/// <summary>Renders into a string at a fixed width, as a terminal of that many columns would show it.</summary>
internal static class Screen
{
    public static string[] Render(IRenderable renderable, int width = 80, bool terminal = false)
    {
        using var writer = new StringWriter();
        var console = CliOutput.CreateConsole(writer, width, terminal, color: false);
        console.Write(renderable);
        return writer.ToString().TrimEnd('\n').Split('\n').Select(l => l.TrimEnd()).ToArray();
    }
}
