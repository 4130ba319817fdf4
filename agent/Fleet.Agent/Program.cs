using System.CommandLine;

// The agent runs on Linux devices (systemd, the Docker socket, unix file modes).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Fleet.Agent;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("fleet-agent: runs the compose stacks a Fleet controller assigns to this device, and reports back.");
        // One file per command under Commands/, each with a static Create().
        root.Subcommands.Add(Commands.RunCommand.Create());
        root.Subcommands.Add(Commands.StatusCommand.Create());
        root.Subcommands.Add(Commands.ConfigCommand.Create());
        root.Subcommands.Add(Commands.ApplyCommand.Create());
        root.Subcommands.Add(Commands.PlanCommand.Create());
        root.Subcommands.Add(Commands.DownCommand.Create());
        root.Subcommands.Add(Commands.PsCommand.Create());
        root.Subcommands.Add(Commands.EnrollCommand.Create());
        root.Subcommands.Add(Commands.BundleCommand.Create());
        // SIGTERM belongs to the host (systemd's stop): System.CommandLine's own handler would end the
        // process after 2 s, in the middle of a graceful shutdown (offline presence, journal, database).
        var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        try
        {
            return root.Parse(args).Invoke(configuration);
        }
        catch (Exception ex)
        {
            // A bug, not bad input (that is reported as a value): one line for the operator,
            // the whole trace only on request.
            Console.Error.WriteLine($"fleet-agent: internal error: {ex.GetType().Name}: {ex.Message}");
            if (Environment.GetEnvironmentVariable("FLEET_DEBUG") == "1")
            {
                Console.Error.WriteLine(ex);
            }

            return 70;
        }
    }
}
