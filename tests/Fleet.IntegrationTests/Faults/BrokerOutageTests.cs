using System.Diagnostics;
using System.Globalization;
using Fleet.IntegrationTests.EndToEnd;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;
using Fleet.Protocol.Messages;
using Xunit.Abstractions;

namespace Fleet.IntegrationTests.Faults;

/// <summary>
/// The broker (mosquitto, the controller's external broker) stopped for a minute in the middle of a
/// rollout while the controller stays up: the devices finish the update and keep running it on their
/// own, and once the broker is back every event of the outage reaches the controller, once. Devices that
/// reconnect before the controller has subscribed again get their events acknowledged by the broker and
/// dropped (no subscriber); the controller sees the gap in the devices' status and asks for them again.
/// </summary>
[Collection(FaultGroup.Name)]
public sealed class BrokerOutageTests(FaultFleet fleet, ITestOutputHelper output) : FaultScenario(fleet, output)
{
    /// <summary>FLEET_FAULT_BROKER_OUTAGE_SECONDS shortens the outage for a local run; CI runs the 60 s.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(
        Environment.GetEnvironmentVariable("FLEET_FAULT_BROKER_OUTAGE_SECONDS") is { Length: > 0 } seconds
            ? int.Parse(seconds, CultureInfo.InvariantCulture)
            : 60);

    [Fact]
    public async Task BrokerStoppedDuringRollout_DevicesKeepRunning_AndEveryEventArrivesOnceAfterwards()
    {
        var devices = Cluster.Devices;
        await DeployFirstAsync(TwoServices(TestImages.Busybox));
        var before = devices.Select(d => Journal(d).LastSeq).ToList();

        var image = await Faults.PushReleaseImageAsync(Stack, "v2");
        var rollout = await StartNextAsync(2, TwoServices(image));

        // All three at once, so that each has the rest of the update (and its events) ahead of it when the broker stops.
        await Eventually.TrueAsync(
            () => devices.All(d => LocalPhase(d) == DeploymentPhases.Downloading),
            RolloutTimeout,
            () => "every device downloads the release: " + string.Join(", ", devices.Select(d => $"{d.Id} {LocalPhase(d)}")));

        var logBefore = Faults.ControllerLog.Length;
        await Faults.Broker.StopGracefullyAsync();
        var outage = Stopwatch.StartNew();
        foreach (var device in devices)
        {
            await Eventually.TrueAsync(
                () => LocalPhase(device) == DeploymentPhases.Committed && device.RunningImages(Stack).SequenceEqual([image, image]),
                RolloutTimeout,
                () => $"{device.Id} finishes the update without the broker; phase {LocalPhase(device)}; agent:\n{device.Agent.Output}");
        }

        var committedOffline = outage.Elapsed;
        if (Outage - outage.Elapsed is { Ticks: > 0 } rest)
        {
            await Task.Delay(rest); // the outage itself, not a wait for a condition
        }

        var during = devices.Select(Journal).ToList();
        for (var i = 0; i < devices.Count; i++)
        {
            Assert.True(during[i].Pending > 0, $"{devices[i].Id} has events of the outage to deliver");
            Assert.True(devices[i].RunningImages(Stack).SequenceEqual([image, image]), $"{devices[i].Id} keeps running the release through the outage");
            Assert.True(
                Detail(devices[i]).Events.Max(e => e.Seq) <= during[i].LastSeq - during[i].Pending,
                $"{devices[i].Id}: the controller has none of the events the device still holds");
        }

        await Faults.Broker.StartAsync();
        var recovery = Stopwatch.StartNew();
        outage.Stop();
        for (var i = 0; i < devices.Count; i++)
        {
            var device = devices[i];
            var through = during[i].LastSeq;
            await Eventually.TrueAsync(
                () => CompareEvents(device, before[i], through).Lost == 0 && Journal(device).Pending == 0,
                RolloutTimeout,
                () => $"the outage's events of {device.Id} ({before[i]}, {through}] reach the controller, "
                    + $"{CompareEvents(device, before[i], through).Lost} missing; agent:\n{device.Agent.Output}\ncontroller:\n{Faults.ControllerLog}");
        }

        var eventsBack = recovery.Elapsed;
        var ended = await UntilEndedAsync(rollout);
        recovery.Stop();
        Assert.True(ended.State == RolloutStates.Completed, Describe(ended));
        for (var i = 0; i < devices.Count; i++)
        {
            var (lost, doubled) = CompareEvents(devices[i], before[i], during[i].LastSeq);
            Report("broker stopped", string.Create(
                CultureInfo.InvariantCulture,
                $"{devices[i].Id}: outage {Seconds(outage)}, committed offline after {Seconds(committedOffline)}, events {before[i] + 1}..{during[i].LastSeq} ({during[i].Pending} held back), "
                + $"asked to resend {ResendRequests(devices[i], logBefore)} time(s), lost {lost}, doubled {doubled}"));
            Assert.Equal(0, lost);
            Assert.Equal(0, doubled);
        }

        Report("broker stopped", $"broker back to every event at the controller: {Seconds(eventsBack)}, to the rollout completed: {Seconds(recovery)}");
    }

    /// <summary>How often the controller asked the device for events again since the log had <paramref name="logBefore"/> characters.</summary>
    private int ResendRequests(FleetDevice device, int logBefore) =>
        Faults.ControllerLog[logBefore..].Split('\n').Count(line => line.Contains($"Device {device.Id}: asking for events", StringComparison.Ordinal));
}
