// Docker.DotNet annotates what the engine always fills in as nullable; a null there fails the test anyway.
#nullable disable warnings
using Docker.DotNet;
using Fleet.Compose.Model;
using Fleet.IntegrationTests.Infrastructure;
using static Fleet.IntegrationTests.Infrastructure.TestProject;

namespace Fleet.IntegrationTests.Engine;

/// <summary><c>down</c> removes what the project made, and with volumes also the anonymous volumes of its containers.</summary>
public sealed class DownTests
{
    [Fact]
    public async Task Down_WithVolumes_RemovesTheAnonymousVolumesOfItsContainers()
    {
        await using var stack = await CreateAsync();
        var web = Service("web") with { Volumes = [new ServiceVolume { Type = "volume", Target = "/state" }] };
        Assert.True((await stack.ApplyAsync(stack.Project(web))).Converged);
        var volume = (await stack.InspectAsync($"{stack.Name}-web-1")).Mounts.Single(m => m.Destination == "/state").Name;

        var down = await stack.ComposeEngine().DownAsync(stack.Name, removeVolumes: true, CancellationToken.None);

        Assert.Empty(down.Failures);
        Assert.False(await VolumeExistsAsync(stack, volume), $"anonymous volume {volume} outlived down -v");
    }

    [Fact]
    public async Task Down_WithoutVolumes_KeepsTheAnonymousVolumes()
    {
        await using var stack = await CreateAsync();
        var web = Service("web") with { Volumes = [new ServiceVolume { Type = "volume", Target = "/state" }] };
        Assert.True((await stack.ApplyAsync(stack.Project(web))).Converged);
        var volume = (await stack.InspectAsync($"{stack.Name}-web-1")).Mounts.Single(m => m.Destination == "/state").Name;
        try
        {
            await stack.ComposeEngine().DownAsync(stack.Name, removeVolumes: false, CancellationToken.None);

            Assert.True(await VolumeExistsAsync(stack, volume), $"down without volumes removed {volume}");
        }
        finally
        {
            await stack.Engine.Client.Volumes.RemoveAsync(volume, force: true);
        }
    }

    [Fact]
    public async Task DownWithVolumes_LeavesNoAnonymousVolume_LikeDockerCompose()
    {
        // docker-compose 1.29 is the reference: `down -v` removes the anonymous volumes of the containers it removes.
        const string Stack = """
            services:
              web:
                image: fleet-test/busybox:1
                command: ["sleep", "1000"]
                labels: {org.fleet.test-run: "1"}
                volumes: ["/state"]
            """;
        await using var project = await CreateAsync("fleet-it-down");
        using var stack = new StackDirectory(Stack);
        var reference = $"{project.Name}c";
        var (exitCode, output) = await stack.ComposeAsync(reference, null, "up", "-d");
        Assert.True(exitCode == 0, output);
        var composeVolume = (await project.InspectAsync($"{reference}_web_1")).Mounts.Single(m => m.Destination == "/state").Name;
        (exitCode, output) = await stack.ComposeAsync(reference, null, "down", "-v", "-t", "1");
        Assert.True(exitCode == 0, output);

        Assert.True((await project.ApplyAsync(stack.Load(project.Name))).Converged);
        var fleetVolume = (await project.InspectAsync($"{project.Name}-web-1")).Mounts.Single(m => m.Destination == "/state").Name;
        await project.ComposeEngine().DownAsync(project.Name, removeVolumes: true, CancellationToken.None);

        Assert.False(await VolumeExistsAsync(project, composeVolume), "docker-compose down -v left its anonymous volume");
        Assert.False(await VolumeExistsAsync(project, fleetVolume), "fleet down -v left its anonymous volume");
    }

    private static async Task<bool> VolumeExistsAsync(TestProject stack, string name)
    {
        try
        {
            await stack.Engine.Client.Volumes.InspectAsync(name);
            return true;
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
