using System.CommandLine;

// Like the controller whose broker it hosts: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Fleet.Sim;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand(
            "fleet-sim: SIMULATED devices for scale tests of a Fleet controller. Each simulated device speaks the agent's "
            + "MQTT protocol (enrollment, verified desired states, status, events, presence) but runs nothing: no engine, "
            + "no containers. Never point it at a production fleet.");
        root.Subcommands.Add(Commands.RunCommand.Create());
        root.Subcommands.Add(Commands.BrokerCommand.Create());
        root.Subcommands.Add(Commands.ThroughputCommand.Create());
        root.Subcommands.Add(Commands.CertifyCommand.Create());
        // Ctrl+C and SIGTERM cancel the run, which then says goodbye within its own bound.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null };
        return root.Parse(args).Invoke(configuration);
    }
}
