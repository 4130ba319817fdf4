using System.Diagnostics;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Xunit.Abstractions;

namespace Fleet.IntegrationTests.Faults;

/// <summary>The device's dockerd restarted while the agent applies an update: the agent gets the stack running and the update committed by itself.</summary>
[Collection(FaultGroup.Name)]
public sealed class EngineRestartTests(FaultFleet fleet, ITestOutputHelper output) : FaultScenario(fleet, output)
{
    [Fact]
    public async Task DockerdRestartedDuringApply_AgentConverges_StackRunsAndCommits()
    {
        var device = Cluster.Devices[1];
        await DeployFirstAsync(TwoServices(TestImages.Busybox), Cluster.TargetOf(1));
        var rollout = await StartNextAsync(2, TwoServices(TestImages.BusyboxV2), Cluster.TargetOf(1));
        await PhaseReachedAsync(device, DeploymentPhases.Applying);
        await device.Engine.RestartAsync();
        var recovery = Stopwatch.StartNew();
        string? phase = null;
        await Eventually.TrueAsync(
            () => (phase = LocalPhase(device)) == DeploymentPhases.Committed
                && device.RunningImages(Stack).SequenceEqual([TestImages.BusyboxV2, TestImages.BusyboxV2]),
            RolloutTimeout,
            () => $"the agent converges after the engine restart; phase {phase}, running {string.Join(", ", device.RunningImages(Stack))}; agent:\n{device.Agent.Output}");
        recovery.Stop();

        var ended = await UntilEndedAsync(rollout);
        Assert.True(ended.State == RolloutStates.Completed, Describe(ended));
        Assert.False(device.Agent.HasExited, device.Agent.Output);
        Report("dockerd restarted during applying", $"engine back to stack running and committed: {Seconds(recovery)}");
    }
}
