using System.CommandLine;

namespace Fleet.Agent;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("fleet-agent: runs the compose stacks a Fleet controller assigns to this device, and reports back.");
        // One file per command under Commands/, each with a static Create().
        root.Subcommands.Add(Commands.ConfigCommand.Create());
        return root.Parse(args).Invoke();
    }
}
