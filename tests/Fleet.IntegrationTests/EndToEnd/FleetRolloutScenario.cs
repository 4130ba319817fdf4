using System.Net;
using System.Net.Http.Json;
using Fleet.IntegrationTests.Cli;
using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>
/// Rollouts from the real controller to three real devices, each test class with a fleet of its own:
/// a device's status covers its whole desired state, so one test's bad release would otherwise be
/// seen by the next test's rollout (see the note on issue 7).
/// </summary>
public abstract class FleetRolloutScenario(ThreeDeviceFleet fleet)
{
    protected static readonly TimeSpan RolloutTimeout = TimeSpan.FromMinutes(3);
    private protected ThreeDeviceFleet Cluster { get; } = fleet;
    protected string Stack { get; } = $"s{Guid.NewGuid():N}"[..12];

    /// <summary>
    /// The device that got the bad release runs the previous one again and says so. The rollout pauses as
    /// soon as the device reports rolling-back; a test that moved on before the rollback ended would see
    /// the device's status of that rollback counted against its own next rollout.
    /// </summary>
    private protected async Task CanaryRolledBackAsync(FleetDevice device)
    {
        string? phase = null;
        await Eventually.TrueAsync(
            () => device.RunningImages(Stack).SequenceEqual([TestImages.Busybox])
                && (phase = DeviceDetail(device).Device.Phase)
                    is Fleet.Protocol.Messages.DeploymentPhases.RolledBack or Fleet.Protocol.Messages.DeploymentPhases.Committed,
            RolloutTimeout,
            () => $"{device.Id} runs the previous release again; now {string.Join(",", device.RunningImages(Stack))}, phase {phase}; agent:\n{device.Output}");
    }

    protected string Describe(RolloutInfo rollout) =>
        $"{rollout.State}: {rollout.Reason}; " + string.Join("; ", Cluster.Devices.Select(d =>
            $"{d.Id} {System.Text.Json.JsonSerializer.Serialize(DeviceDetail(d).Device, ApiJsonContext.Default.DeviceSummary)}"));

    /// <summary>What the controller shows of <paramref name="device"/> now: its summary, last status and recent events.</summary>
    private protected DeviceDetail DeviceDetail(FleetDevice device) =>
        Cluster.Controller.GetAsync($"/api/v1/devices/{device.Id}", ApiJsonContext.Default.DeviceDetail).GetAwaiter().GetResult();

    private protected FleetDevice Device(string id) => Cluster.Devices.Single(d => d.Id == id);

    /// <summary>
    /// The device's events in (<paramref name="after"/>, <paramref name="through"/>] as the controller shows them:
    /// how many seqs it lacks, and how many it shows twice (the same event under two seqs).
    /// </summary>
    private protected (long Lost, int Doubled) CompareEvents(FleetDevice device, long after, long through)
    {
        var stored = DeviceDetail(device).Events.Where(e => e.Seq > after && e.Seq <= through).ToList();
        var lost = (through - after) - stored.Select(e => e.Seq).Distinct().Count();
        var doubled = stored.Count - stored.DistinctBy(e => (e.Version, e.Kind, e.Stack, e.Service, e.Detail)).Count();
        return (lost, doubled);
    }

    protected void AssertEveryDeviceRuns(string image)
    {
        foreach (var device in Cluster.Devices)
        {
            Assert.Equal([image], device.RunningImages(Stack));
        }
    }

    /// <summary>Rolls version <paramref name="version"/> out to <paramref name="target"/> (the whole fleet by default) and waits until it ends.</summary>
    protected async Task<RolloutInfo> DeployAsync(int version, IReadOnlyList<string> waves, string? target = null) =>
        await UntilEndedAsync(await CreateRolloutAsync(version, waves, waveTimeoutSeconds: 300, target: target));

    /// <param name="healthWindowSeconds">The devices' health window for this release; null: the agents' (2 s here).</param>
    /// <param name="target">The selector; null: the whole fleet.</param>
    protected Task<RolloutInfo> CreateRolloutAsync(int version, IReadOnlyList<string> waves, long waveTimeoutSeconds, long? healthWindowSeconds = null, string? target = null) =>
        Cluster.Controller.PostAsync(
            "/api/v1/rollouts",
            new RolloutRequest
            {
                Stack = Stack,
                Version = version,
                Target = target ?? Cluster.Target,
                Waves = waves,
                MaxFailures = "0",
                WaveTimeoutSeconds = waveTimeoutSeconds,
                HealthWindowSeconds = healthWindowSeconds,
            },
            ApiJsonContext.Default.RolloutRequest,
            ApiJsonContext.Default.RolloutInfo);

    protected Task<RolloutInfo> RolloutAsync(string id) =>
        Cluster.Controller.GetAsync($"/api/v1/rollouts/{id}", ApiJsonContext.Default.RolloutInfo);

    /// <summary>Waits until the rollout is completed, paused, aborted or rolled back, and answers it then.</summary>
    protected Task<RolloutInfo> UntilEndedAsync(RolloutInfo rollout) =>
        UntilAsync(
            rollout,
            r => r.State is RolloutStates.Completed or RolloutStates.Paused or RolloutStates.Aborted or RolloutStates.RolledBack,
            "ends or pauses");

    /// <summary>Waits until the rollout is as <paramref name="condition"/> says, and answers it then.</summary>
    protected async Task<RolloutInfo> UntilAsync(RolloutInfo rollout, Func<RolloutInfo, bool> condition, string what)
    {
        var now = rollout;
        await Eventually.TrueAsync(
            () => condition(now = RolloutAsync(rollout.Id).GetAwaiter().GetResult()),
            RolloutTimeout,
            () => $"rollout {rollout.Id} of version {rollout.Version} {what}; now {System.Text.Json.JsonSerializer.Serialize(now, ApiJsonContext.Default.RolloutInfo)}; agents:\n{string.Join("\n", Cluster.Devices.Select(d => d.Id + ":\n" + d.Output))}");
        return now;
    }

    protected async Task<RolloutInfo> ActAsync(string rollout, string action)
    {
        using var response = await Cluster.Controller.Http.PostAsync(new Uri($"/api/v1/rollouts/{rollout}/{action}", UriKind.Relative), null);
        await ControllerClient.ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.RolloutInfo))!;
    }

    internal static string Compose(string image, string? command = null) => $$"""
        services:
          app:
            image: {{image}}
            stop_grace_period: 1s
        {{(command is null ? "" : "    command: " + command)}}
        """;
}
