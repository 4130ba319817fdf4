using System.Text.Json;
using Fleet.Protocol.Api;

namespace Fleet.IntegrationTests.Cli;

/// <summary>
/// The real <c>fleet deploy</c> and <c>fleet rollout ...</c> against a real controller whose one target
/// device is enrolled but never connects: an offline device stops blocking its wave at the wave's time
/// limit (it is not a failure), so the rollout completes and <c>--wait</c> exits 0.
/// </summary>
public sealed class CliRolloutTests(ControllerFixture fixture) : IClassFixture<ControllerFixture>, IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fleet-cli-rollout-");
    private readonly string _stack = "cli" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task DeployWait_ToAnOfflineDevice_CompletesAtTheWaveTimeLimit_Exits0_AndTheRolloutCommandsSeeIt()
    {
        await fixture.Controller.InitKeysAsync();
        await fixture.Controller.EnrollAsync(_stack + "-d0", ("group", _stack));
        var compose = Path.Combine(_dir.FullName, "compose.yaml");
        await File.WriteAllTextAsync(compose, "services:\n  app:\n    image: fleet-test/busybox:1\n");
        var (pushExit, push) = await FleetCli.RunAsync(fixture.Environment, "stack", "push", _stack, "-f", compose);
        Assert.True(pushExit == 0, push);

        var (deployExit, deploy) = await FleetCli.RunAsync(
            fixture.Environment, "deploy", _stack, "--target", "group=" + _stack, "--wave-timeout", "2s", "--max-failures", "0", "--wait", "--json");

        Assert.True(deployExit == 0, deploy);
        var rollout = JsonSerializer.Deserialize(deploy, ApiJsonContext.Default.RolloutInfo)!;
        Assert.Equal(RolloutStates.Completed, rollout.State);

        var (lsExit, ls) = await FleetCli.RunAsync(fixture.Environment, "rollout", "ls");
        var (showExit, show) = await FleetCli.RunAsync(fixture.Environment, "rollout", "show", rollout.Id);
        var (watchExit, watch) = await FleetCli.RunAsync(fixture.Environment, "rollout", "watch", rollout.Id);
        var (pauseExit, pause) = await FleetCli.RunAsync(fixture.Environment, "rollout", "pause", rollout.Id);

        Assert.Equal(0, lsExit);
        Assert.Matches($@"(?m)^\s*{rollout.Id}\s+{_stack}:1\s+group={_stack}\s+completed\s", ls);
        Assert.Equal(0, showExit);
        Assert.StartsWith($"rollout {rollout.Id}  {_stack}:1 -> group={_stack}", show, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^wave 1\s+\S+\s+\[[#!=-]{30}\]\s+0/1$", show);
        Assert.Equal(0, watchExit);
        Assert.EndsWith($"rollout {rollout.Id} completed\n", watch, StringComparison.Ordinal);
        Assert.Equal(1, pauseExit);
        Assert.Single(pause.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("error: ", pause, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_WithOverrideLocks_StartsARolloutThatOverridesUpdateLocks()
    {
        await fixture.Controller.InitKeysAsync();
        await fixture.Controller.EnrollAsync(_stack + "-d0", ("group", _stack));
        var compose = Path.Combine(_dir.FullName, "compose.yaml");
        await File.WriteAllTextAsync(compose, "services:\n  app:\n    image: fleet-test/busybox:1\n");
        var (pushExit, push) = await FleetCli.RunAsync(fixture.Environment, "stack", "push", _stack, "-f", compose);
        Assert.True(pushExit == 0, push);

        var (exit, output) = await FleetCli.RunAsync(
            fixture.Environment, "deploy", _stack, "--target", "group=" + _stack, "--override-locks", "--json");

        Assert.True(exit == 0, output);
        var rollout = JsonSerializer.Deserialize(output, ApiJsonContext.Default.RolloutInfo)!;
        Assert.True(rollout.OverrideLocks);
        var (showExit, show) = await FleetCli.RunAsync(fixture.Environment, "rollout", "show", rollout.Id, "--json");
        Assert.True(showExit == 0, show);
        Assert.True(JsonSerializer.Deserialize(show, ApiJsonContext.Default.RolloutInfo)!.OverrideLocks);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
