using System.CommandLine;

namespace Fleet.Agent;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("fleet-agent: runs the compose stacks a Fleet controller assigns to this device, and reports back.");
        // One file per command under Commands/, each with a static Create().
        root.Subcommands.Add(Commands.ConfigCommand.Create());
        root.Subcommands.Add(Commands.ApplyCommand.Create());
        root.Subcommands.Add(Commands.PlanCommand.Create());
        root.Subcommands.Add(Commands.DownCommand.Create());
        root.Subcommands.Add(Commands.PsCommand.Create());
        return root.Parse(args).Invoke();
    }
}
