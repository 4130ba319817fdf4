using Fleet.Cli.Hosting;

namespace Fleet.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args) =>
        new CliApp(CliEnvironment.FromProcess()).RunAsync(args, CancellationToken.None);
}
