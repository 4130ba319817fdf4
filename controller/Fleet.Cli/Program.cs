using System.CommandLine;

namespace Fleet.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("fleet: the operator console for a Fleet controller.");
        return root.Parse(args).Invoke();
    }
}
