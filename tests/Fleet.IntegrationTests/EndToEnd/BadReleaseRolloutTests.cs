using System.Net;
using System.Net.Http.Json;
using Fleet.IntegrationTests.Cli;
using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>A bad release rolls back on the device it reached and pauses the rollout before the others.</summary>
public sealed class BadReleaseRolloutTests(ThreeDeviceFleet fleet) : FleetRolloutScenario(fleet), IClassFixture<ThreeDeviceFleet>
{
    [Fact]
    public async Task BadRelease_RollsBackOnTheCanary_AndPausesTheRolloutBeforeTheOtherDevices()
    {
        await Cluster.Controller.PushStackAsync(Stack, Compose(TestImages.Busybox));
        var good = await DeployAsync(1, ["100%"]);
        Assert.True(good.State == RolloutStates.Completed, Describe(good));
        await Cluster.Controller.PushStackAsync(Stack, Compose(TestImages.BusyboxV2, command: """["sh", "-c", "exit 3"]"""));

        var bad = await DeployAsync(2, ["1", "100%"]);

        Assert.Equal(RolloutStates.Paused, bad.State);
        Assert.Contains("wave 1", bad.Reason, StringComparison.Ordinal);
        Assert.Equal(1, bad.Waves[0].Counts.RolledBack + bad.Waves[0].Counts.Failed);
        var canary = Cluster.Devices.Single(d => d.Id == bad.Waves[0].Devices.Single());
        await CanaryRolledBackAsync(canary);
        foreach (var device in Cluster.Devices.Where(d => d != canary))
        {
            Assert.Equal([TestImages.Busybox], device.RunningImages(Stack));
        }

        var aborted = await ActAsync(bad.Id, "abort");
        Assert.Equal(RolloutStates.Aborted, aborted.State);
    }
}
