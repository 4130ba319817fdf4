using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>
/// A device that is offline (its agent stopped) while a rollout in waves reaches it: its wave waits for it
/// only until the time limit and the rollout goes on; when the device comes back it takes the retained
/// desired state and commits, the rollout counts it, and what it journaled meanwhile reaches the controller.
/// </summary>
public sealed class OfflineDeviceRolloutTests(ThreeDeviceFleet fleet) : FleetRolloutScenario(fleet), IClassFixture<ThreeDeviceFleet>
{
    /// <summary>Long enough for an online device to apply and pass its 2 s health window on a busy machine.</summary>
    private const int WaveTimeLimitSeconds = 15;

    [Fact]
    public async Task OfflineDevice_HoldsItsWaveOnlyUntilTheTimeLimit_AndCatchesUpWhenItReturns()
    {
        await Cluster.Controller.PushStackAsync(Stack, Compose(TestImages.Busybox));
        var created = await CreateRolloutAsync(1, ["1", "2", "100%"], WaveTimeLimitSeconds);
        // Wave 2 cannot start before wave 1's device passed its health window: time enough to stop wave 2's device.
        var away = Device(created.Waves[1].Devices.Single());
        await away.StopAgentAsync();

        var rollout = await UntilEndedAsync(created);

        Assert.True(rollout.State == RolloutStates.Completed, Describe(rollout));
        Assert.Equal([1, 0, 1], rollout.Waves.Select(w => w.Counts.Committed));
        Assert.Equal(1, rollout.Waves[1].Counts.Offline);
        Assert.True(
            rollout.Waves[2].StartedAt - rollout.Waves[1].StartedAt >= TimeSpan.FromSeconds(WaveTimeLimitSeconds),
            $"wave 3 started when wave 2's time limit passed: {Describe(rollout)}");
        Assert.Empty(away.RunningImages(Stack));

        // It boots first where the broker cannot be reached: what it journals waits in its database.
        away.StartAgentCutOff();
        var offline = await JournaledOfflineAsync(away);
        await away.StopAgentAsync();
        away.StartAgent();

        rollout = await UntilAsync(rollout, r => r.Waves[1].Counts.Committed == 1, "counts the returned device committed");
        Assert.Equal([1, 1, 1], rollout.Waves.Select(w => w.Counts.Committed));
        Assert.Equal([TestImages.Busybox], away.RunningImages(Stack));
        IReadOnlyList<DeviceEvent> events = [];
        await Eventually.TrueAsync(
            () => (events = DeviceDetail(away).Events).Any(e => e.Kind == EventKinds.Committed),
            TimeSpan.FromSeconds(30),
            () => $"the controller has the committed event of {away.Id}: {string.Join(", ", events.Select(e => $"{e.Seq} {e.Kind}"))}");
        var since = events.Where(e => e.Seq >= offline.Seq).Select(e => e.Seq).ToList();
        Assert.Equal(offline.Kind, events.Single(e => e.Seq == offline.Seq).Kind);
        Assert.Equal(Enumerable.Range((int)offline.Seq, since.Count).Select(s => (long)s), since);
    }

    /// <summary>The agent-started event of the run that cannot reach the broker, once the agent says it has not been taken.</summary>
    private static async Task<DeviceEvent> JournaledOfflineAsync(FleetDevice device)
    {
        Fleet.Agent.Hosting.LocalStatus? status = null;
        await Eventually.TrueAsync(
            // Asked only once the agent listens: with no agent answering, status would open the database itself.
            () => File.Exists(Path.Combine(device.Data, "agent.sock"))
                && (status = device.LocalStatusAsync().GetAwaiter().GetResult()) is { Running: true, PendingEvents: > 0 },
            TimeSpan.FromSeconds(30),
            () => $"the cut-off agent holds events for the broker: {status?.PendingEvents} pending; agent:\n{device.Output}");
        return status!.RecentEvents.Where(e => e.Kind == EventKinds.AgentStarted).MaxBy(e => e.Seq)!;
    }
}
