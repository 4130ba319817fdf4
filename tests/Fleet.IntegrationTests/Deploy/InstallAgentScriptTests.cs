using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Deploy;

/// <summary>deploy/install-agent.sh, run for real into a root of its own (FLEET_INSTALL_ROOT) with the native agent.</summary>
public sealed class InstallAgentScriptTests : IDisposable
{
    private static readonly string Script = Path.Combine(RepoPaths.Root, "deploy", "install-agent.sh");
    private readonly string _root = Directory.CreateTempSubdirectory("fleet-install-it-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Install_PutsTheAgentAndItsUnitInPlace_AndStopsWhenEnrollmentFails()
    {
        // Nothing listens on port 1: enrollment cannot succeed, and the script must say so and stop.
        var (code, output) = await RunAsync("--controller", "http://127.0.0.1:1", "--token", "t0k3n", "--device-id", "pi-1", "--binary", NativeAgent.Executable);

        Assert.True(code != 0, $"the script went on after a failed enrollment:\n{output}");
        Assert.Contains("enrollment failed", output, StringComparison.Ordinal);
        Assert.DoesNotContain("systemctl enable", output, StringComparison.Ordinal);
        await AssertInstalledAsync();
    }

    [Fact]
    public async Task Upgrade_ReplacesTheBinaryAndUnit_WithoutEnrolling()
    {
        var (code, output) = await RunAsync("--upgrade", "--binary", NativeAgent.Executable);

        Assert.True(code == 0, output);
        Assert.DoesNotContain("enrolling", output, StringComparison.Ordinal);
        Assert.Contains("systemctl enable --now fleet-agent", output, StringComparison.Ordinal);
        await AssertInstalledAsync();
    }

    [Fact]
    public async Task Install_WithoutAToken_OrWithABinaryThatDoesNotRun_ChangesNothing()
    {
        var broken = Path.Combine(_root, "fleet-agent-other-arch");
        await File.WriteAllBytesAsync(broken, [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0]);
        File.SetUnixFileMode(broken, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var (noToken, noTokenOutput) = await RunAsync("--controller", "http://127.0.0.1:1", "--binary", NativeAgent.Executable);
        var (notRunning, notRunningOutput) = await RunAsync("--upgrade", "--binary", broken);

        Assert.True(noToken != 0 && noTokenOutput.Contains("--token", StringComparison.Ordinal), noTokenOutput);
        Assert.True(notRunning != 0 && notRunningOutput.Contains("does not run on this machine", StringComparison.Ordinal), notRunningOutput);
        Assert.False(Directory.Exists(Path.Combine(_root, "usr")), "nothing is installed");
    }

    [Fact]
    public async Task Script_PassesShellcheck()
    {
        var (code, output) = await ExternalProcess.RunAsync("shellcheck", TimeSpan.FromSeconds(60), Script);

        Assert.True(code == 0, output);
    }

    private async Task AssertInstalledAsync()
    {
        var agent = Path.Combine(_root, "usr", "local", "bin", "fleet-agent");
        var (code, version) = await ExternalProcess.RunAsync(agent, TimeSpan.FromSeconds(30), "--version");
        Assert.True(code == 0, version);
        Assert.Equal(
            await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "deploy", "systemd", "fleet-agent.service")),
            await File.ReadAllTextAsync(Path.Combine(_root, "etc", "systemd", "system", "fleet-agent.service")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(_root, "var", "lib", "fleet-agent")));
    }

    private async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        await using var process = ExternalProcess.Start(Script, new Dictionary<string, string> { ["FLEET_INSTALL_ROOT"] = _root }, arguments);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.Output);
    }
}
