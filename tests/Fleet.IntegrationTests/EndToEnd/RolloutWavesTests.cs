using System.Net;
using System.Net.Http.Json;
using Fleet.IntegrationTests.Cli;
using Fleet.IntegrationTests.Controller;
using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Api;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>A rollout in two waves reaches every device; rolling it back restores the version before it.</summary>
public sealed class RolloutWavesTests(ThreeDeviceFleet fleet) : FleetRolloutScenario(fleet), IClassFixture<ThreeDeviceFleet>
{
    [Fact]
    public async Task RolloutInTwoWaves_ReachesEveryDevice_AndRollingItBack_RestoresThePreviousVersion()
    {
        await Cluster.Controller.PushStackAsync(Stack, Compose(TestImages.Busybox));
        var first = await DeployAsync(1, ["1", "100%"]);

        Assert.True(first.State == RolloutStates.Completed, Describe(first));
        Assert.Equal(2, first.Waves.Count);
        Assert.Single(first.Waves[0].Devices);
        Assert.Equal(3, first.Waves.Sum(w => w.Counts.Committed));
        AssertEveryDeviceRuns(TestImages.Busybox);

        await Cluster.Controller.PushStackAsync(Stack, Compose(TestImages.BusyboxV2));
        var second = await DeployAsync(2, ["100%"]);
        Assert.Equal(RolloutStates.Completed, second.State);
        AssertEveryDeviceRuns(TestImages.BusyboxV2);

        var rollingBack = await ActAsync(second.Id, "rollback");
        Assert.Equal(RolloutStates.RolledBack, rollingBack.State);
        foreach (var device in Cluster.Devices)
        {
            await Eventually.TrueAsync(
                () => device.RunningImages(Stack).SequenceEqual([TestImages.Busybox]),
                RolloutTimeout,
                () => $"{device.Id} runs the first version again; now {string.Join(",", device.RunningImages(Stack))}; agent:\n{device.Output}");
        }
    }
}
