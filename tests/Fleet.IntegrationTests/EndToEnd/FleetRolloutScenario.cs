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
                && (phase = Cluster.Controller.GetAsync($"/api/v1/devices/{device.Id}", ApiJsonContext.Default.DeviceDetail).GetAwaiter().GetResult().Device.Phase)
                    is Fleet.Protocol.Messages.DeploymentPhases.RolledBack or Fleet.Protocol.Messages.DeploymentPhases.Committed,
            RolloutTimeout,
            () => $"{device.Id} runs the previous release again; now {string.Join(",", device.RunningImages(Stack))}, phase {phase}; agent:\n{device.Agent.Output}");
    }

    protected string Describe(RolloutInfo rollout) =>
        $"{rollout.State}: {rollout.Reason}; " + string.Join("; ", Cluster.Devices.Select(d =>
            $"{d.Id} {System.Text.Json.JsonSerializer.Serialize(Cluster.Controller.GetAsync($"/api/v1/devices/{d.Id}", ApiJsonContext.Default.DeviceDetail).GetAwaiter().GetResult().Device, ApiJsonContext.Default.DeviceSummary)}"));

    protected void AssertEveryDeviceRuns(string image)
    {
        foreach (var device in Cluster.Devices)
        {
            Assert.Equal([image], device.RunningImages(Stack));
        }
    }

    protected async Task<RolloutInfo> DeployAsync(int version, IReadOnlyList<string> waves, string? target = null) =>
        await EndedAsync(await StartRolloutAsync(version, waves, target));

    /// <summary>Creates the rollout of <see cref="Stack"/> version <paramref name="version"/> to <paramref name="target"/> (the whole fleet by default).</summary>
    protected Task<RolloutInfo> StartRolloutAsync(int version, IReadOnlyList<string> waves, string? target = null) =>
        Cluster.Controller.PostAsync(
            "/api/v1/rollouts",
            new RolloutRequest { Stack = Stack, Version = version, Target = target ?? Cluster.Target, Waves = waves, MaxFailures = "0", WaveTimeoutSeconds = 300 },
            ApiJsonContext.Default.RolloutRequest,
            ApiJsonContext.Default.RolloutInfo);

    /// <summary>Waits until the rollout completed, paused, was aborted or rolled back.</summary>
    protected async Task<RolloutInfo> EndedAsync(RolloutInfo created)
    {
        var version = created.Version;
        RolloutInfo? now = created;
        await Eventually.TrueAsync(
            () => (now = Cluster.Controller.GetAsync($"/api/v1/rollouts/{created.Id}", ApiJsonContext.Default.RolloutInfo).GetAwaiter().GetResult()).State
                is RolloutStates.Completed or RolloutStates.Paused or RolloutStates.Aborted or RolloutStates.RolledBack,
            RolloutTimeout,
            () => $"rollout of version {version} ends or pauses; now {now?.State} {now?.Reason}; agents:\n{string.Join("\n", Cluster.Devices.Select(d => d.Id + ":\n" + d.Agent.Output))}");
        return now!;
    }

    protected async Task<RolloutInfo> ActAsync(string rollout, string action)
    {
        using var response = await Cluster.Controller.Http.PostAsync(new Uri($"/api/v1/rollouts/{rollout}/{action}", UriKind.Relative), null);
        await RunningController.ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.RolloutInfo))!;
    }

    protected static string Compose(string image, string? command = null) => $$"""
        services:
          app:
            image: {{image}}
            stop_grace_period: 1s
        {{(command is null ? "" : "    command: " + command)}}
        """;
}
