using System.Diagnostics;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Xunit.Abstractions;

namespace Fleet.IntegrationTests.Faults;

/// <summary>
/// The agent killed with SIGKILL in each phase of an update, and started again: it resumes from the phase
/// its database holds and ends committed or rolled back, with every service of the stack on the image
/// of one release, never some on the old and some on the new.
/// </summary>
[Collection(FaultGroup.Name)]
public sealed class AgentKillTests(FaultFleet fleet, ITestOutputHelper output) : FaultScenario(fleet, output)
{
    [Fact]
    public async Task AgentKilledInEachPhase_Resumes_AndEndsOnOneRelease()
    {
        // Every release's image is new to the device and comes over the slow link: downloading takes seconds.
        // Applying takes seconds too (the old containers' sleep ignores SIGTERM, so each stop waits out its
        // grace period), and verifying lasts the health window.
        var device = Cluster.Devices[0];
        var previous = await Faults.PushReleaseImageAsync(Stack, "v1");
        await DeployFirstAsync(TwoServices(previous), Cluster.TargetOf(0));

        var version = 1;
        foreach (var phase in new[] { DeploymentPhases.Downloading, DeploymentPhases.Applying, DeploymentPhases.Verifying })
        {
            version++;
            var image = await Faults.PushReleaseImageAsync(Stack, $"v{version}");
            var rollout = await StartNextAsync(version, TwoServices(image), Cluster.TargetOf(0));
            await PhaseReachedAsync(device, phase);

            Assert.Equal(137, await device.Agent.SignalAndWaitAsync("KILL", TimeSpan.FromSeconds(30)));
            var half = device.RunningImages(Stack);
            await device.RestartAgentAsync();
            var recovery = Stopwatch.StartNew();
            string? final = null;
            // The restarted agent reports the phase its database holds (the one it was killed in) until it moves on.
            await Eventually.TrueAsync(
                () => IsOver(final = LocalPhase(device)),
                RolloutTimeout,
                () => $"killed in {phase}, the agent ends the update; now {final}; agent:\n{device.Output}");
            recovery.Stop();
            var ended = await UntilEndedAsync(rollout);

            var running = device.RunningImages(Stack);
            Assert.True(running.Count == 2 && running.Distinct().Count() == 1, $"killed in {phase}: one container per service, one release: {string.Join(", ", running)}");
            Assert.Equal(final == DeploymentPhases.Committed ? image : previous, running[0]);
            Assert.True(
                ended.State == (final == DeploymentPhases.Committed ? RolloutStates.Completed : RolloutStates.Paused),
                $"killed in {phase}, ended {final}: {Describe(ended)}");
            Report($"agent kill -9 in {phase}", $"images when killed: {string.Join(", ", half)}; ended {final} on {running[0]}; restart to {final}: {Seconds(recovery)}");
            if (final == DeploymentPhases.Committed)
            {
                previous = image;
            }
        }
    }
}
