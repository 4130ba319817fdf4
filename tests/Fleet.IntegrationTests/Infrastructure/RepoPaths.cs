namespace Fleet.IntegrationTests.Infrastructure;

internal static class RepoPaths
{
    /// <summary>The folder holding Fleet.sln, found upwards from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The NativeAOT agent that ./test.sh publishes (FLEET_AGENT_NATIVE overrides).</summary>
    public static string NativeAgent =>
        Environment.GetEnvironmentVariable("FLEET_AGENT_NATIVE") is { Length: > 0 } path
            ? path
            : Path.Combine(Root, "artifacts", "agent", "fleet-agent");

    /// <summary>The linux-arm64 agent that ./test.sh cross-compiles with deploy/build-agent.sh (FLEET_AGENT_ARM64 overrides).</summary>
    public static string Arm64Agent =>
        Environment.GetEnvironmentVariable("FLEET_AGENT_ARM64") is { Length: > 0 } path
            ? path
            : Path.Combine(Root, "artifacts", "agent-arm64", "fleet-agent");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fleet.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Fleet.sln above {AppContext.BaseDirectory}");
    }
}
