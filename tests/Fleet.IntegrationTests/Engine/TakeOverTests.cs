using System.Collections.Immutable;
using Fleet.Agent.Docker.Containers;
using Fleet.Compose;
using Fleet.Compose.Model;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Engine;

/// <summary>A stack docker-compose started is taken over without recreating what has not changed, and the other way round.</summary>
public sealed class TakeOverTests
{
    private const string Stack = """
        services:
          web:
            image: fleet-test/busybox:1
            command: ["httpd", "-f", "-p", "80"]
            environment: {MODE: "${MODE}"}
            labels: {org.fleet.test-run: "1"}
            restart: unless-stopped
            mem_limit: 32m
            volumes: ["data:/data"]
          worker:
            image: fleet-test/busybox:1
            labels: {org.fleet.test-run: "1"}
        volumes:
          data: {}
        """;

    [Fact]
    public async Task Apply_OnStackDockerComposeStarted_KeepsUnchangedContainersAndRecreatesChangedOnes()
    {
        await using var project = await TestProject.CreateAsync("fleet-it-takeover");
        var directory = Directory.CreateTempSubdirectory("fleet-takeover-").FullName;
        var file = Path.Combine(directory, "compose.yaml");
        await File.WriteAllTextAsync(file, Stack);
        try
        {
            var (exitCode, output) = await ExternalProcess.RunAsync("sh", TimeSpan.FromSeconds(120), "-c", $"MODE=a docker-compose -p {project.Name} -f {file} up -d");
            Assert.True(exitCode == 0, output);
            var web = (await project.InspectAsync($"{project.Name}_web_1")).ID;
            var worker = (await project.InspectAsync($"{project.Name}_worker_1")).ID;

            var same = await project.ApplyAsync(Load(file, project.Name, "a"), project.Options);

            Assert.True(same.Converged, same.Summary);
            Assert.True(same.Plan.IsEmpty, string.Join("; ", same.Plan.Steps));
            Assert.Equal(web, (await project.InspectAsync($"{project.Name}_web_1")).ID);

            var changed = await project.ApplyAsync(Load(file, project.Name, "b"), project.Options);

            Assert.True(changed.Converged, changed.Summary);
            Assert.Contains("environment", changed.Plan.Find("create:web#1")?.Description, StringComparison.Ordinal);
            Assert.Contains("MODE=b", (await project.InspectAsync($"{project.Name}-web-1")).Config?.Env ?? []);
            Assert.Equal(worker, (await project.InspectAsync($"{project.Name}_worker_1")).ID);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task DockerComposePs_ListsAStackFleetApplied()
    {
        await using var project = await TestProject.CreateAsync("fleet-it-ps");
        var directory = Directory.CreateTempSubdirectory("fleet-takeover-").FullName;
        var file = Path.Combine(directory, "compose.yaml");
        await File.WriteAllTextAsync(file, Stack);
        try
        {
            Assert.True((await project.ApplyAsync(Load(file, project.Name, "a"), project.Options)).Converged);

            var (exitCode, output) = await ExternalProcess.RunAsync("sh", TimeSpan.FromSeconds(60), "-c", $"MODE=a docker-compose -p {project.Name} -f {file} ps");

            Assert.True(exitCode == 0, output);
            Assert.Contains($"{project.Name}-web-1", output, StringComparison.Ordinal);
            Assert.Contains($"{project.Name}-worker-1", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static ComposeProject Load(string file, string name, string mode)
    {
        var loaded = ComposeLoader.Load(new ComposeLoadOptions
        {
            Files = [new ComposeFile(file)],
            ProjectName = name,
            Environment = ImmutableDictionary<string, string>.Empty.Add("MODE", mode),
        });
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Diagnostics));
        return loaded.Project!;
    }
}
