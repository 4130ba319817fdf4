// Docker.DotNet annotates what the engine always fills in as nullable; a null there fails the test anyway.
#nullable disable warnings
using System.Globalization;
using Fleet.Compose.Model;
using Fleet.IntegrationTests.Infrastructure;
using static Fleet.IntegrationTests.Infrastructure.TestProject;

namespace Fleet.IntegrationTests.Engine;

/// <summary><c>deploy.update_config.order: start-first</c>: the old container is stopped only once its replacement is ready.</summary>
public sealed class StartFirstTests
{
    private static ServiceConfig StartFirst(ServiceConfig service) => service with
    {
        Deploy = new ServiceDeploy { UpdateConfig = new DeployUpdateConfig { Order = "start-first" } },
    };

    [Fact]
    public async Task Apply_StartFirst_StopsOldContainerOnlyAfterTheNewOneIsHealthy()
    {
        await using var stack = await CreateAsync();
        Assert.True((await stack.ApplyAsync(stack.Project(StartFirst(Service("web"))))).Converged);
        var old = (await stack.InspectAsync($"{stack.Name}-web-1")).ID;
        var web = StartFirst(Service("web", hash: "v2")) with
        {
            // Healthy only a while after it starts, so stopping the old one early would show.
            Command = ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 1000"],
            Healthcheck = new ServiceHealthcheck { Test = ["CMD", "test", "-f", "/tmp/ready"], Interval = TimeSpan.FromMilliseconds(200), Retries = 50 },
        };
        var since = UnixTime(DateTimeOffset.UtcNow);

        var result = await stack.ApplyAsync(stack.Project(web));

        Assert.True(result.Converged, result.Summary);
        var replacement = await stack.InspectAsync($"{stack.Name}-web-1");
        Assert.NotEqual(old, replacement.ID);
        var (_, events) = await ExternalProcess.RunAsync(
            "docker", TimeSpan.FromSeconds(30), "events", "--since", since, "--until", UnixTime(DateTimeOffset.UtcNow.AddSeconds(1)),
            "--filter", $"label=com.docker.compose.project={stack.Name}", "--filter", "type=container", "--format", "{{.Action}} {{.Actor.ID}}");
        var lines = events.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var healthy = lines.IndexOf($"health_status: healthy {replacement.ID}");
        var stopped = lines.FindIndex(l => l.StartsWith("kill ", StringComparison.Ordinal) && l.EndsWith(old, StringComparison.Ordinal));
        Assert.True(healthy >= 0 && stopped > healthy, $"the old container was stopped before its replacement was healthy:\n{events}");
    }

    [Fact]
    public async Task Apply_StartFirst_WhenReplacementNeverHealthy_KeepsOldContainerRunning()
    {
        await using var stack = await CreateAsync();
        Assert.True((await stack.ApplyAsync(stack.Project(StartFirst(Service("web"))))).Converged);
        var old = (await stack.InspectAsync($"{stack.Name}-web-1")).ID;
        var web = StartFirst(Service("web", hash: "v2")) with
        {
            Healthcheck = new ServiceHealthcheck { Test = ["CMD", "false"], Interval = TimeSpan.FromMilliseconds(200), Retries = 1 },
        };

        var result = await stack.ApplyAsync(stack.Project(web));

        Assert.False(result.Converged);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("ready:web#1", failure.StepId);
        Assert.Contains("unhealthy", failure.Reason, StringComparison.Ordinal);
        var kept = await stack.InspectAsync($"{stack.Name}-web-1");
        Assert.Equal(old, kept.ID);
        Assert.True(kept.State.Running);
        Assert.Equal([$"/{stack.Name}-web-1"], (await stack.ContainersAsync()).Select(c => c.Names[0]));
    }

    [Fact]
    public async Task Apply_StartFirst_WithoutHealthcheck_ReplacesOnceTheNewOneRuns()
    {
        await using var stack = await CreateAsync();
        Assert.True((await stack.ApplyAsync(stack.Project(StartFirst(Service("web"))))).Converged);

        var result = await stack.ApplyAsync(stack.Project(StartFirst(Service("web", hash: "v2"))));

        Assert.True(result.Converged, result.Summary);
        var order = stack.Completed.Select(o => o.Step.Id).ToList();
        Assert.True(order.IndexOf("start:web#1") < order.IndexOf("ready:web#1") && order.IndexOf("ready:web#1") < order.IndexOf("stop:web#1"), string.Join(", ", order));
        Assert.True((await stack.InspectAsync($"{stack.Name}-web-1")).State.Running);
    }

    private static string UnixTime(DateTimeOffset time) =>
        (time.ToUnixTimeMilliseconds() / 1000m).ToString("0.000", CultureInfo.InvariantCulture);
}
