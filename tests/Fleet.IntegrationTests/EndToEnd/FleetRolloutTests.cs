using System.Net;
using System.Net.Http.Json;
using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>
/// Rollouts from the real controller to three real devices: waves reach every device, rolling a rollout
/// back restores the version before it, and a bad release rolls back on the device it reached and
/// pauses the rollout before it reaches the others.
/// </summary>
public sealed class FleetRolloutTests(ThreeDeviceFleet fleet) : IClassFixture<ThreeDeviceFleet>
{
    private static readonly TimeSpan RolloutTimeout = TimeSpan.FromMinutes(3);
    private readonly string _stack = $"s{Guid.NewGuid():N}"[..12];

    [Fact]
    public async Task RolloutInTwoWaves_ReachesEveryDevice_AndRollingItBack_RestoresThePreviousVersion()
    {
        await fleet.Controller.PushStackAsync(_stack, Compose(TestImages.Busybox));
        var first = await DeployAsync(1, ["1", "100%"]);

        Assert.Equal(RolloutStates.Completed, first.State);
        Assert.Equal(2, first.Waves.Count);
        Assert.Single(first.Waves[0].Devices);
        Assert.Equal(3, first.Waves.Sum(w => w.Counts.Committed));
        AssertEveryDeviceRuns(TestImages.Busybox);

        await fleet.Controller.PushStackAsync(_stack, Compose(TestImages.BusyboxV2));
        var second = await DeployAsync(2, ["100%"]);
        Assert.Equal(RolloutStates.Completed, second.State);
        AssertEveryDeviceRuns(TestImages.BusyboxV2);

        var rollingBack = await ActAsync(second.Id, "rollback");
        Assert.Equal(RolloutStates.RolledBack, rollingBack.State);
        foreach (var device in fleet.Devices)
        {
            await Eventually.TrueAsync(
                () => device.RunningImages(_stack).SequenceEqual([TestImages.Busybox]),
                RolloutTimeout,
                () => $"{device.Id} runs the first version again; now {string.Join(",", device.RunningImages(_stack))}; agent:\n{device.Agent.Output}");
        }
    }

    [Fact]
    public async Task BadRelease_RollsBackOnTheCanary_AndPausesTheRolloutBeforeTheOtherDevices()
    {
        await fleet.Controller.PushStackAsync(_stack, Compose(TestImages.Busybox));
        Assert.Equal(RolloutStates.Completed, (await DeployAsync(1, ["100%"])).State);
        await fleet.Controller.PushStackAsync(_stack, Compose(TestImages.BusyboxV2, command: """["sh", "-c", "exit 3"]"""));

        var bad = await DeployAsync(2, ["1", "100%"]);

        Assert.Equal(RolloutStates.Paused, bad.State);
        Assert.Contains("wave 1", bad.Reason, StringComparison.Ordinal);
        Assert.Equal(1, bad.Waves[0].Counts.RolledBack + bad.Waves[0].Counts.Failed);
        var canary = fleet.Devices.Single(d => d.Id == bad.Waves[0].Devices.Single());
        Assert.Equal([TestImages.Busybox], canary.RunningImages(_stack));
        foreach (var device in fleet.Devices.Where(d => d != canary))
        {
            Assert.Equal([TestImages.Busybox], device.RunningImages(_stack));
        }

        var aborted = await ActAsync(bad.Id, "abort");
        Assert.Equal(RolloutStates.Aborted, aborted.State);
    }

    private void AssertEveryDeviceRuns(string image)
    {
        foreach (var device in fleet.Devices)
        {
            Assert.Equal([image], device.RunningImages(_stack));
        }
    }

    private async Task<RolloutInfo> DeployAsync(int version, IReadOnlyList<string> waves)
    {
        var created = await fleet.Controller.PostAsync(
            "/api/v1/rollouts",
            new RolloutRequest { Stack = _stack, Version = version, Target = fleet.Target, Waves = waves, MaxFailures = "0", WaveTimeoutSeconds = 300 },
            ApiJsonContext.Default.RolloutRequest,
            ApiJsonContext.Default.RolloutInfo);
        RolloutInfo? now = created;
        await Eventually.TrueAsync(
            () => (now = fleet.Controller.GetAsync($"/api/v1/rollouts/{created.Id}", ApiJsonContext.Default.RolloutInfo).GetAwaiter().GetResult()).State
                is RolloutStates.Completed or RolloutStates.Paused or RolloutStates.Aborted or RolloutStates.RolledBack,
            RolloutTimeout,
            () => $"rollout of version {version} ends or pauses; now {now?.State} {now?.Reason}; agents:\n{string.Join("\n", fleet.Devices.Select(d => d.Id + ":\n" + d.Agent.Output))}");
        return now!;
    }

    private async Task<RolloutInfo> ActAsync(string rollout, string action)
    {
        using var response = await fleet.Controller.Http.PostAsync(new Uri($"/api/v1/rollouts/{rollout}/{action}", UriKind.Relative), null);
        await RunningController.ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.RolloutInfo))!;
    }

    private static string Compose(string image, string? command = null) => $$"""
        services:
          app:
            image: {{image}}
            stop_grace_period: 1s
        {{(command is null ? "" : "    command: " + command)}}
        """;
}
