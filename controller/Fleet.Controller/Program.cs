using System.CommandLine;

// The controller runs on Linux (unix file modes for its token and data directory).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace Fleet.Controller;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("fleet-controller: the fleet's REST API, MQTT broker and rollout engine.");
        root.Subcommands.Add(Hosting.RunCommand.Create());
        // SIGTERM belongs to the host: a graceful stop flushes ingest and disconnects the broker cleanly.
        var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        try
        {
            return root.Parse(args).Invoke(configuration);
        }
        catch (Exception ex)
        {
            // A bug, not bad input (that is reported as a value): one line, the trace only on request.
            Console.Error.WriteLine($"fleet-controller: internal error: {ex.GetType().Name}: {ex.Message}");
            if (Environment.GetEnvironmentVariable("FLEET_DEBUG") == "1")
            {
                Console.Error.WriteLine(ex);
            }

            return 70;
        }
    }
}
