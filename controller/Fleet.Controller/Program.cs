using System.CommandLine;

namespace Fleet.Controller;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("fleet-controller: the fleet's REST API, MQTT broker and rollout engine.");
        return root.Parse(args).Invoke();
    }
}
