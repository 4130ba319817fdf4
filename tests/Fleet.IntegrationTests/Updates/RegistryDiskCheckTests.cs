using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Messages;

namespace Fleet.IntegrationTests.Updates;

/// <summary>
/// The disk check before a download counts what the registry says the pull downloads, not only the
/// reserve: through the native agent, a real docker-registry and the real engine. About 20 s (a 64 MB
/// image of random bytes pushed, a first release committed). It sets the reserve from the free space it
/// sees, so it runs alone (<see cref="DiskSpaceGroup"/>): in CI another test once freed more than the 32 MB
/// margin between that reading and the agent's check, and the pull went ahead.
/// </summary>
[Collection(DiskSpaceGroup.Name)]
public sealed class RegistryDiskCheckTests : IAsyncLifetime
{
    private const long Megabyte = 1024 * 1024;

    private readonly AgentScenario _scenario = new();
    private readonly DockerRegistry _registry = new();
    private TestProject? _stack;

    private TestProject Stack => _stack!;

    public async Task InitializeAsync()
    {
        await _scenario.InitializeAsync();
        await _registry.InitializeAsync();
        _stack = await TestProject.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await Stack.DisposeAsync();
        await _registry.DisposeAsync();
        await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task ImageThatFitsOnlyWithoutTheReserve_AsItsRegistryTellsItsSize_IsRefusedBeforeAnythingStops()
    {
        // Random bytes do not compress: the registry's layer size is about the 64 MB written.
        var big = await _registry.PushUniqueImageAsync($"fleet-test/big-{Guid.NewGuid():N}"[..30], "1", (int)(64 * Megabyte));
        var root = (await Stack.Engine.Client.System.GetSystemInfoAsync()).DockerRootDir;
        // Half the image's size free beyond the reserve: the reserve alone would let the pull start.
        var reserve = (new DriveInfo(root).AvailableFreeSpace / Megabyte) - 32;
        Assert.True(reserve > 0, $"{root} has less than 32 MB free");
        using var probe = await _scenario.ConnectAsync();
        await using var agent = _scenario.StartAgent(useEngine: true, new Dictionary<string, string> { ["DiskReserveMegabytes"] = $"{reserve}" });
        await _scenario.PublishAsync(probe, Desired(1, TestImages.SleepingApp(TestImages.Busybox)));
        await _scenario.WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.Committed, AppliedVersion: 1 });
        var before = Assert.Single(await Stack.ContainersAsync());

        await _scenario.PublishAsync(probe, Desired(2, TestImages.SleepingApp(TestImages.BusyboxV2) + $"  data:\n    image: {big}\n"));
        var status = await _scenario.WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.Failed, DesiredVersion: 2 });

        Assert.Equal("disk-full", status.LastError?.Code);
        Assert.Matches("the images need 6[45] MB \\(layer sizes from the registry\\)", status.LastError!.Message);
        Assert.Equal(1, status.AppliedVersion);
        var after = Assert.Single(await Stack.ContainersAsync());
        Assert.Equal((before.ID, "running"), (after.ID, after.State));
        Assert.DoesNotContain(_scenario.Events(probe), e => e is { Kind: EventKinds.Pulled, Version: 2 });
    }

    private DesiredState Desired(long version, string compose) =>
        FleetKeys.Desired(_scenario.DeviceId, version, new StackSpec { Name = Stack.Name, Digest = "sha256:0", Compose = compose });
}
