using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Xunit.Abstractions;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>
/// The <c>fleet-controller</c> process killed (<c>kill -9</c>) in the middle of a rollout in waves and started
/// again on its data directory: the rollout goes on where it was and ends with every device committed, each
/// device given the rollout's desired state once; the devices' containers ran on meanwhile.
/// </summary>
public sealed class ControllerKilledMidRolloutTests(ThreeDeviceFleetOnAControllerProcess fleet, ITestOutputHelper output)
    : FleetRolloutScenario(fleet), IClassFixture<ThreeDeviceFleetOnAControllerProcess>
{
    private readonly ControllerProcess _controller = fleet.Process;

    [Fact]
    public async Task ControllerKilledInAWaveAndAsTheNextStarts_FinishesTheRolloutAfterRestarts_WhileDevicesKeepRunning()
    {
        await Cluster.Controller.PushStackAsync(Stack, Compose(TestImages.Busybox));
        var first = await DeployAsync(1, ["100%"]);
        Assert.True(first.State == RolloutStates.Completed, Describe(first));
        var before = Cluster.Devices.ToDictionary(d => d.Id, d => DeviceDetail(d).Device.DesiredVersion!.Value);
        await Cluster.Controller.PushStackAsync(Stack, Compose(TestImages.BusyboxV2));
        // A health window long enough that a poll sees wave 1's device verifying, on a busy machine too.
        var created = await CreateRolloutAsync(2, ["1", "2", "100%"], waveTimeoutSeconds: 120, healthWindowSeconds: 3);
        var canary = Device(created.Waves[0].Devices.Single());
        var last = Device(created.Waves[2].Devices.Single());
        var others = Cluster.Devices.Where(d => d != canary).ToList();
        var containers = others.ToDictionary(d => d.Id, d => d.Engine.RunningContainers(Stack, "{{.ID}}"));

        // Killed while wave 1's device verifies: the device does not need the controller to commit.
        await UntilAsync(created, r => r.Waves[0].Counts.Verifying == 1, "has wave 1's device verifying");
        await _controller.KillAsync();
        await Eventually.TrueAsync(
            () => canary.RunningImages(Stack).SequenceEqual([TestImages.BusyboxV2])
                && canary.LocalStatusAsync().GetAwaiter().GetResult().Status.Phase == DeploymentPhases.Committed,
            RolloutTimeout,
            () => $"{canary.Id} commits with no controller; agent:\n{canary.Output}");
        AssertUntouched(others, containers);
        await _controller.StartAsync();

        // Killed again as wave 2 starts, its desired state published or not yet.
        await UntilAsync(created, r => r.Waves[1].StartedAt is not null, "starts wave 2");
        await _controller.KillAsync();
        AssertUntouched([last], containers);
        await _controller.StartAsync();

        var rollout = await UntilEndedAsync(created);

        Assert.True(rollout.State == RolloutStates.Completed, Describe(rollout) + "\ncontroller:\n" + _controller.Output);
        Assert.Equal([1, 1, 1], rollout.Waves.Select(w => w.Counts.Committed));
        AssertEveryDeviceRuns(TestImages.BusyboxV2);
        foreach (var device in Cluster.Devices)
        {
            // The device's own journal: the controller's copy may miss what arrived within a flush of a kill -9.
            var received = (await device.LocalStatusAsync()).RecentEvents.Where(e => e.Kind == EventKinds.Received && e.Version > before[device.Id]).ToList();
            Assert.True(received.Count == 1, $"{device.Id} received one desired state after version {before[device.Id]}: {string.Join(", ", received.Select(e => e.Version))}");
        }
    }

    /// <summary>
    /// Events the controller took in (and its embedded broker acknowledged to the device) but had not written
    /// when it was killed come back: the device's status says its journal's last seq, the restarted controller
    /// sees it has less and asks the device (resend-events) for the rest. A flush period of a minute makes sure
    /// the kill loses them.
    /// </summary>
    [Fact]
    public async Task ControllerKilledBeforeItsFlush_HasEveryEventOnceAfterTheRestart()
    {
        await _controller.KillAsync();
        await _controller.StartAsync(new Dictionary<string, string> { ["FlushMilliseconds"] = "60000" });
        await AllOnlineAsync();
        var before = new Dictionary<string, long>();
        foreach (var device in Cluster.Devices)
        {
            before[device.Id] = await JournalLastSeqAsync(device);
            // A restarted agent journals agent-started and sends it at once: events the controller only holds in memory.
            await device.StopAgentAsync();
            device.StartAgent();
        }

        var sent = new Dictionary<string, long>();
        foreach (var device in Cluster.Devices)
        {
            await Eventually.TrueAsync(
                // The agent was just started again: until it answers, its journal counts as not yet past before.
                () => (sent[device.Id] = device.TryLocalStatusAsync().GetAwaiter().GetResult() is { } local ? LastSeq(local) : -1) > before[device.Id]
                    && DeviceDetail(device).Events.Any(e => e.Seq == sent[device.Id]),
                RolloutTimeout,
                () => $"{device.Id}'s new events reach the controller; agent:\n{device.Output}");
        }

        await _controller.KillAsync();
        await _controller.StartAsync();
        var restarted = System.Diagnostics.Stopwatch.StartNew();
        // Asked at once: the events come back only after the grace period the controller gives a gap (5 s).
        var lostAtRestart = Cluster.Devices.Sum(d => CompareEvents(d, before[d.Id], sent[d.Id]).Lost);
        Assert.True(lostAtRestart > 0, "the kill -9 lost the events that were only in the controller's memory");
        foreach (var device in Cluster.Devices)
        {
            await Eventually.TrueAsync(
                () => CompareEvents(device, before[device.Id], sent[device.Id]).Lost == 0,
                RolloutTimeout,
                () => $"{device.Id}'s events ({before[device.Id]}, {sent[device.Id]}] are back at the controller ({lostAtRestart} missing right after the restart); "
                    + $"controller:\n{_controller.Output}");
            Assert.Equal(0, CompareEvents(device, before[device.Id], sent[device.Id]).Doubled);
        }

        output.WriteLine(string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"reliability | controller kill -9 before its flush | {lostAtRestart} events missing at the restart, all back {restarted.Elapsed.TotalSeconds:0.0} s after it; lost 0, doubled 0"));
    }

    private async Task AllOnlineAsync() =>
        await Eventually.TrueAsync(
            () => Cluster.Devices.All(d => DeviceDetail(d).Device.Online),
            RolloutTimeout,
            () => "every device is online again: " + string.Join(", ", Cluster.Devices.Select(d => $"{d.Id} {DeviceDetail(d).Device.Online}")));

    private static async Task<long> JournalLastSeqAsync(FleetDevice device) => LastSeq(await device.LocalStatusAsync());

    private static long LastSeq(Fleet.Agent.Hosting.LocalStatus local) => local.RecentEvents.Select(e => e.Seq).DefaultIfEmpty(0).Max();

    /// <summary>The devices not yet reached run the containers they ran before the rollout, untouched.</summary>
    private void AssertUntouched(IReadOnlyList<FleetDevice> devices, Dictionary<string, IReadOnlyList<string>> containers)
    {
        foreach (var device in devices)
        {
            Assert.Equal(containers[device.Id], device.Engine.RunningContainers(Stack, "{{.ID}}"));
            Assert.Equal([TestImages.Busybox], device.RunningImages(Stack));
        }
    }
}
