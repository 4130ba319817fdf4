using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Cli;

/// <summary>
/// Runs the real <c>fleet</c> executable (as built beside the tests) the way an operator's shell would:
/// its own process, no terminal, the environment given and nothing inherited that could point it elsewhere.
/// </summary>
internal static class FleetCli
{
    public static Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        RunAsync(environment, TimeSpan.FromSeconds(60), arguments);

    /// <summary>As the other overload, with a bound for long commands such as <c>deploy --wait</c>.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "fleet.dll");
        Assert.True(File.Exists(dll), $"{dll} was not built beside the tests");
        var variables = new Dictionary<string, string>
        {
            ["FLEET_CONTROLLER"] = "",
            ["FLEET_TOKEN"] = "",
            ["FLEET_CONTROLLER_DATA"] = "/nonexistent",
            ["NO_COLOR"] = "",
        };
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }

        await using var process = ExternalProcess.Start("dotnet", variables, [dll, .. arguments]);
        var exitCode = await process.WaitForExitAsync(timeout);
        return (exitCode, process.Output);
    }

    public static Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) =>
        RunAsync(new Dictionary<string, string>(), arguments);
}
