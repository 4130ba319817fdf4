using Fleet.IntegrationTests.Infrastructure;
using Fleet.Protocol.Messages;

namespace Fleet.IntegrationTests.Updates;

/// <summary>
/// Image retention through the native agent on a dockerd of its own (so that no image of the shared
/// engine is ever at risk): after a commit, the images of releases older than the kept ones are removed
/// by image ID and reported as a <c>pruned</c> event; images no Fleet release ran stay. About 25 s
/// (an engine of its own, four small builds, three commits).
/// </summary>
public sealed class ImageRetentionTests : IAsyncLifetime
{
    private readonly AgentScenario _scenario = new();
    private readonly string _name = $"fleet-it-ret-{Guid.NewGuid():N}"[..24];
    private DeviceEngine? _engine;

    private DeviceEngine Engine => _engine!;

    public async Task InitializeAsync()
    {
        await _scenario.InitializeAsync();
        _engine = await DeviceEngine.StartAsync(TestImages.Busybox);
    }

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task Commit_RemovesTheImagesOfReleasesBeforeTheKeptOnes_ByImageId_AndNeverAnImagePulledByHand()
    {
        var movedTag = $"{_name}/app:v";
        var first = await BuildAsync("first", movedTag);
        var second = await BuildAsync("second", $"{_name}/app:2");
        var third = await BuildAsync("third", $"{_name}/app:3");
        var byHand = await BuildAsync("by-hand", $"{_name}/operator:1");
        using var probe = await _scenario.ConnectAsync();
        await using var agent = _scenario.StartAgent(settings: new Dictionary<string, string>
        {
            ["Docker"] = Engine.Uri,
            ["KeepReleaseImages"] = "2",
        });

        await CommitAsync(probe, agent, 1, movedTag);
        // The operator moves the first release's tag to an image of their own: the first release keeps its image by ID.
        Assert.Equal(0, Engine.Docker(TimeSpan.FromSeconds(30), "tag", byHand, movedTag).ExitCode);
        await CommitAsync(probe, agent, 2, $"{_name}/app:2");
        var firstKept = ImageExists(first);
        await CommitAsync(probe, agent, 3, $"{_name}/app:3");
        var pruned = await _scenario.WaitForEventAsync(probe, agent, e => e is { Kind: EventKinds.Pruned, Version: 3 });

        Assert.True(firstKept, "the first release's image stays while that release is one of the two kept, though its tag moved");
        Assert.Contains(first, pruned.Detail, StringComparison.Ordinal);
        Assert.StartsWith("removed 1 image(s)", pruned.Detail, StringComparison.Ordinal);
        Assert.False(ImageExists(first), "the first release's image is gone after the third commit");
        Assert.True(ImageExists(second) && ImageExists(third), "the images of the two kept releases stay");
        Assert.True(ImageExists(byHand), "the operator's image stays, though it carries the tag the first release named");
        Assert.True(ImageExists(TestImages.Busybox), "the base image stays");
        Assert.DoesNotContain(_scenario.Events(probe), e => e.Kind == EventKinds.Pruned && e.Version != 3);
    }

    /// <summary>A small image of its own on the device's engine (busybox with a label); returns its image ID.</summary>
    private async Task<string> BuildAsync(string label, string tag)
    {
        var (code, output) = await ExternalProcess.RunAsync(
            "bash",
            TimeSpan.FromMinutes(1),
            "-c",
            $"printf 'FROM {TestImages.Busybox}\\nLABEL org.fleet.test.image={label}\\n' | docker -H {Engine.Uri} build -q -t {tag} -");
        Assert.True(code == 0, $"building {tag}: {output}");
        return output.Trim().Split('\n')[^1].Trim();
    }

    private bool ImageExists(string image) => Engine.Docker(TimeSpan.FromSeconds(30), "image", "inspect", image).ExitCode == 0;

    private async Task CommitAsync(MqttProbe probe, ExternalProcess agent, long version, string image)
    {
        await _scenario.PublishAsync(probe, FleetKeys.Desired(_scenario.DeviceId, version, new StackSpec
        {
            Name = _name,
            Digest = "sha256:0",
            Compose = TestImages.SleepingApp(image),
        }));
        await _scenario.WaitForStatusAsync(probe, agent, s => s is { Phase: DeploymentPhases.Committed } && s.AppliedVersion == version);
    }
}
