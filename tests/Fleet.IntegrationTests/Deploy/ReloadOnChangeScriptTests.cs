using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Deploy;

/// <summary>
/// deploy/mosquitto/reload-on-change.sh on its own; with mosquitto and the controller it is
/// ControllerMosquittoCredentialsWithWatcherTests.
/// </summary>
public sealed class ReloadOnChangeScriptTests
{
    private static readonly string Script = Path.Combine(RepoPaths.Root, "deploy", "mosquitto", "reload-on-change.sh");

    [Fact]
    public async Task Script_PassesShellcheckAsPosixSh()
    {
        var (code, output) = await ExternalProcess.RunAsync("shellcheck", TimeSpan.FromSeconds(60), "--shell=sh", Script);

        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Mosquitto_ExitingOnItsOwn_EndsTheScriptWithMosquittosStatus()
    {
        var missingConfig = Path.Combine(Path.GetTempPath(), $"fleet-no-such-{Guid.NewGuid():N}.conf");
        var (direct, directOutput) = await ExternalProcess.RunAsync("mosquitto", TimeSpan.FromSeconds(30), "-c", missingConfig);

        var (wrapped, wrappedOutput) = await ExternalProcess.RunAsync("busybox", TimeSpan.FromSeconds(30), "sh", Script, "mosquitto", "-c", missingConfig);

        Assert.True(direct != 0, directOutput);
        Assert.True(wrapped == direct, $"mosquitto exited with {direct}, the script with {wrapped}:\n{wrappedOutput}");
    }

    [Fact]
    public async Task Script_WithoutACommand_ExitsWithUsage()
    {
        var (code, output) = await ExternalProcess.RunAsync("busybox", TimeSpan.FromSeconds(30), "sh", Script);

        Assert.Equal(64, code);
        Assert.Contains("usage:", output, StringComparison.Ordinal);
    }
}
