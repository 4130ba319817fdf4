// Docker.DotNet annotates what the engine always fills in as nullable; a null there fails the test anyway.
#nullable disable warnings
using Fleet.IntegrationTests.Infrastructure;

namespace Fleet.IntegrationTests.Engine;

/// <summary>
/// Configs and secrets from <c>environment:</c> and <c>content:</c> are copied into the container before it starts,
/// as docker compose v2 does; those from <c>file:</c> are bind-mounted read-only.
/// </summary>
public sealed class SecretsAndConfigsTests
{
    private const string Stack = """
        services:
          app:
            image: fleet-test/busybox:1
            command: ["sleep", "1000"]
            stop_grace_period: 1s
            labels: {org.fleet.test-run: "1"}
            secrets:
              - token
              - source: token
                target: owned
                mode: 0400
                uid: "65534"
                gid: "65534"
              - hostname
            configs:
              - settings
              - source: banner
                target: /etc/fleet/banner.txt
        secrets:
          token: {environment: TOKEN}
          hostname: {file: /etc/hostname}
        configs:
          settings: {content: "level=${LEVEL}"}
          banner: {environment: BANNER}
        """;

    [Fact]
    public async Task Apply_SecretsAndConfigs_AreInTheContainerWithTheirModeAndOwner()
    {
        await using var project = await TestProject.CreateAsync("fleet-it-files");
        using var stack = new StackDirectory(Stack);

        var result = await project.ApplyAsync(stack.Load(project.Name, Variables("t0ken")));

        Assert.True(result.Converged, result.Summary);
        var container = $"{project.Name}-app-1";
        Assert.Equal("t0ken", await ExecAsync(container, "cat", "/run/secrets/token"));
        Assert.Equal("444 0 0", await ExecAsync(container, "stat", "-c", "%a %u %g", "/run/secrets/token"));
        Assert.Equal("t0ken", await ExecAsync(container, "cat", "/run/secrets/owned"));
        Assert.Equal("400 65534 65534", await ExecAsync(container, "stat", "-c", "%a %u %g", "/run/secrets/owned"));
        Assert.Equal("level=debug", await ExecAsync(container, "cat", "/settings"));
        Assert.Equal("hello", await ExecAsync(container, "cat", "/etc/fleet/banner.txt"));
        Assert.Equal((await File.ReadAllTextAsync("/etc/hostname")).Trim(), await ExecAsync(container, "cat", "/run/secrets/hostname"));
        var mount = (await project.InspectAsync(container)).Mounts.Single(m => m.Destination == "/run/secrets/hostname");
        Assert.Equal(("bind", "/etc/hostname", false), (mount.Type, mount.Source, mount.RW));
    }

    [Fact]
    public async Task Apply_WhenASecretsValueChanges_RecreatesTheContainerWithTheNewValue()
    {
        await using var project = await TestProject.CreateAsync("fleet-it-files");
        using var stack = new StackDirectory(Stack);
        Assert.True((await project.ApplyAsync(stack.Load(project.Name, Variables("one")))).Converged);

        var same = await project.ApplyAsync(stack.Load(project.Name, Variables("one")));
        Assert.True(same.Plan.IsEmpty, string.Join("; ", same.Plan.Steps));

        var changed = await project.ApplyAsync(stack.Load(project.Name, Variables("two")));

        Assert.True(changed.Converged, changed.Summary);
        Assert.Contains(ComposeLabelsFilesHash, changed.Plan.Find("create:app#1")?.Description, StringComparison.Ordinal);
        Assert.Equal("two", await ExecAsync($"{project.Name}-app-1", "cat", "/run/secrets/token"));
    }

    [Fact]
    public async Task Apply_WhenASecretsVariableIsUnset_FailsNamingItAndLeavesNoContainer()
    {
        await using var project = await TestProject.CreateAsync("fleet-it-files");
        using var stack = new StackDirectory(Stack);
        var variables = Variables("x");
        variables.Remove("TOKEN");

        var result = await project.ApplyAsync(stack.Load(project.Name, variables));

        Assert.False(result.Converged);
        Assert.Equal("app: secret token: environment variable TOKEN is not set (create:app#1)", result.Summary);
        Assert.Empty(await project.ContainersAsync());
    }

    private const string ComposeLabelsFilesHash = "org.fleet.files-hash";

    private static Dictionary<string, string> Variables(string token) => new() { ["TOKEN"] = token, ["LEVEL"] = "debug", ["BANNER"] = "hello" };

    private static async Task<string> ExecAsync(string container, params string[] command)
    {
        var (exitCode, output) = await ExternalProcess.RunAsync("docker", TimeSpan.FromSeconds(30), ["exec", container, .. command]);
        Assert.True(exitCode == 0, output);
        return output.Trim();
    }
}
