using System.Text;
using System.Text.Json;
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Engine;

/// <summary>The published NativeAOT agent's apply, plan, ps and down, run as an operator would run them.</summary>
public sealed class AgentCommandTests(DockerRegistryWithLogin registry) : IClassFixture<DockerRegistryWithLogin>, IDisposable
{
    /// <summary>xunit makes one instance per test: each test gets its own folder for files, removed after it.</summary>
    private readonly string _directory = Directory.CreateTempSubdirectory("fleet-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Apply_Plan_Ps_Down_OnTheNativeAgent()
    {
        await using var project = await TestProject.CreateAsync("fleet-it-cli");
        var file = await WriteStackAsync("fleet-test/busybox:1");

        var apply = await AgentAsync("apply", "-f", file, "-p", project.Name, "--health-timeout", "20");
        Assert.True(apply.ExitCode == 0, apply.Output);
        Assert.Contains($"{project.Name}: converged", apply.Output, StringComparison.Ordinal);

        var plan = await AgentAsync("plan", "-f", file, "-p", project.Name);
        Assert.True(plan.ExitCode == 0, plan.Output);
        Assert.Contains("nothing to do", plan.Output, StringComparison.Ordinal);

        var ps = await AgentAsync("ps", "-p", project.Name, "--json");
        Assert.True(ps.ExitCode == 0, ps.Output);
        using var listed = JsonDocument.Parse(ps.Output);
        Assert.Equal(["db", "web"], listed.RootElement.EnumerateArray().Select(c => c.GetProperty("service").GetString()).Order());
        Assert.All(listed.RootElement.EnumerateArray(), c => Assert.Equal("running", c.GetProperty("state").GetString()));
        Assert.Contains(listed.RootElement.EnumerateArray(), c => c.GetProperty("health").GetString() == "healthy");

        var down = await AgentAsync("down", "-p", project.Name);
        Assert.True(down.ExitCode == 0, down.Output);
        Assert.Empty(await project.ContainersAsync());
    }

    [Fact]
    public async Task Apply_WithLoginInDockerConfigFile_PullsFromTheRegistry()
    {
        var image = await registry.PushAsync(TestImages.Busybox, $"cli/{Guid.NewGuid():N}", "v1");
        await registry.RemoveLocalAsync(image);
        await using var project = await TestProject.CreateAsync("fleet-it-cli");
        var file = await WriteStackAsync(image);
        var config = Path.Combine(Path.GetDirectoryName(file)!, "docker");
        Directory.CreateDirectory(config);
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}"));
        await File.WriteAllTextAsync(Path.Combine(config, "config.json"), $$"""{ "auths": { "{{registry.Host}}": { "auth": "{{auth}}" } } }""");
        try
        {
            var apply = await ExternalProcess.RunAsync("sh", TimeSpan.FromSeconds(120), "-c", $"DOCKER_CONFIG={config} {RepoPaths.NativeAgent} apply -f {file} -p {project.Name}");

            Assert.True(apply.ExitCode == 0, apply.Output);
            Assert.Contains("pull:web", apply.Output, StringComparison.Ordinal);
        }
        finally
        {
            await project.DisposeAsync();
            await registry.RemoveLocalAsync(image);
        }
    }

    [Fact]
    public async Task Apply_WhenImageCannotBePulled_ExitsOneWithOneLineNamingServiceAndStep()
    {
        await using var project = await TestProject.CreateAsync("fleet-it-cli");
        var file = await WriteStackAsync($"{registry.Host}/cli/missing:nope");

        var (exitCode, output) = await AgentAsync("apply", "-f", file, "-p", project.Name);

        Assert.Equal(1, exitCode);
        var last = output.Trim().Split('\n')[^1];
        Assert.StartsWith("web: cannot pull", last, StringComparison.Ordinal);
        Assert.EndsWith("(pull:web)", last, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.Empty(await project.ContainersAsync());
    }

    [Fact]
    public async Task Apply_WhenFileIsInvalid_ExitsOneNamingTheFile()
    {
        var file = Path.Combine(_directory, "broken.yaml");
        await File.WriteAllTextAsync(file, "services:\n  web:\n    imagee: busybox\n");

        var (exitCode, output) = await AgentAsync("apply", "-f", file, "-p", "fleet-it-broken");

        Assert.Equal(1, exitCode);
        Assert.Contains("broken.yaml", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    private static Task<(int ExitCode, string Output)> AgentAsync(params string[] arguments)
    {
        Assert.True(File.Exists(RepoPaths.NativeAgent), $"{RepoPaths.NativeAgent} is missing: ./test.sh publishes the NativeAOT agent there");
        return ExternalProcess.RunAsync(RepoPaths.NativeAgent, TimeSpan.FromSeconds(120), arguments);
    }

    private async Task<string> WriteStackAsync(string webImage)
    {
        var file = Path.Combine(_directory, "compose.yaml");
        await File.WriteAllTextAsync(file, $$"""
            services:
              web:
                image: {{webImage}}
                command: ["httpd", "-f", "-p", "80"]
                labels: {org.fleet.test-run: "1"}
                stop_grace_period: 1s
                healthcheck: {test: ["CMD", "true"], interval: 1s}
              db:
                image: fleet-test/busybox:1
                labels: {org.fleet.test-run: "1"}
                stop_grace_period: 1s
                depends_on:
                  web: {condition: service_healthy}
            """);
        return file;
    }
}
