using Fleet.Cli.Hosting;

namespace Fleet.Cli.Tests;

/// <summary>Runs the console in-process against string writers, as a pipe would see it (no terminal, width 80).</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string>? variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment
        {
            Out = output,
            Error = error,
            OutIsTerminal = false,
            Variable = name => variables is not null && variables.TryGetValue(name, out var value) ? value : null,
        };
        var exit = await new CliApp(environment).RunAsync(args, CancellationToken.None);
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    public static Task<CliRun> RunAsync(params string[] args) =>
        RunAsync(new Dictionary<string, string> { ["FLEET_CONTROLLER_DATA"] = "/nonexistent" }, args);

    /// <summary>A controller URL where nothing listens: a port taken and released again.</summary>
    public static string Unreachable()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
    }
}
