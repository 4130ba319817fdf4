using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.EndToEnd;

/// <summary>The private per-device engines that the multi-device tests stand on.</summary>
public sealed class DeviceEngineTests
{
    [Fact]
    public async Task DeviceEngine_RunsAStackTheMainEngineDoesNotSee()
    {
        await using var engine = await DeviceEngine.StartAsync(TestImages.Busybox);
        var directory = Directory.CreateTempSubdirectory("fleet-device-engine-").FullName;
        var project = $"deveng-{Guid.NewGuid():N}"[..20];
        var compose = Path.Combine(directory, "compose.yaml");
        await File.WriteAllTextAsync(compose, $"services:\n  app:\n    image: {TestImages.Busybox}\n");

        var (code, output) = await ExternalProcess.RunAsync(
            NativeAgent.Executable, TimeSpan.FromMinutes(2), "apply", "-f", compose, "-p", project, "--docker", engine.Uri);

        Assert.True(code == 0, output);
        Assert.Equal([project + "-app-1"], engine.RunningContainers(project));
        var main = await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(30), "ps", "-aq", "--filter", "label=com.docker.compose.project=" + project);
        Assert.Equal("", main.Output.Trim());
        Directory.Delete(directory, recursive: true);
    }
}
