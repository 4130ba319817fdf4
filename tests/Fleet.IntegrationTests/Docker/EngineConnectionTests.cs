using Docker.DotNet.Models;
using Fleet.Agent.Docker.Engine;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Docker;

public sealed class EngineConnectionTests
{
    [Fact]
    public async Task Connect_PinsApiVersionWithinWhatBothSidesSpeak()
    {
        using var engine = await DockerEngine.ConnectAsync(null, CancellationToken.None);

        Assert.InRange(engine.ApiVersion, DockerEngine.MinimumApiVersion, DockerEngine.MaximumApiVersion);
        var version = await engine.Client.System.GetVersionAsync();
        Assert.Equal(version.Version, engine.EngineVersion);
    }

    [Fact]
    public async Task Connect_WhenNoEngineAnswers_SaysWhere()
    {
        var endpoint = new Uri($"unix:///tmp/fleet-no-engine-{Guid.NewGuid():N}.sock");

        var error = await Assert.ThrowsAsync<EngineUnavailableException>(
            () => DockerEngine.ConnectAsync(endpoint, CancellationToken.None));

        Assert.Contains(endpoint.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAndStart_BusyboxContainer_IsSeenRunning()
    {
        using var engine = await DockerEngine.ConnectAsync(null, CancellationToken.None);
        var name = $"fleet-it-{Guid.NewGuid():N}";
        var created = await engine.Client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = TestImages.Busybox,
            Labels = new Dictionary<string, string> { [TestImages.TestLabel] = "1" },
        });
        try
        {
            Assert.True(await engine.Client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters()));

            var inspected = await engine.Client.Containers.InspectContainerAsync(created.ID);

            Assert.NotNull(inspected.State);
            Assert.True(inspected.State.Running, $"container {name} is {inspected.State.Status}");
            Assert.Equal(TestImages.Busybox, inspected.Config?.Image);
        }
        finally
        {
            await engine.Client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        }
    }
}
