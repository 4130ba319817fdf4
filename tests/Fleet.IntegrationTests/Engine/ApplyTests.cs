// Docker.DotNet annotates what the engine always fills in as nullable; a null there fails the test anyway.
#nullable disable warnings
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Execute;
using Fleet.Compose.Model;
using Fleet.IntegrationTests.Infrastructure;
using static Fleet.IntegrationTests.Infrastructure.TestProject;

namespace Fleet.IntegrationTests.Engine;

public sealed class ApplyTests
{
    [Fact]
    public async Task Apply_FreshStack_RunsEveryServiceNamedAndLabelledAsComposeV2()
    {
        await using var stack = await CreateAsync();

        var result = await stack.ApplyAsync(stack.Project(Service("web", replicas: 2), Service("db")));

        Assert.True(result.Converged, result.Summary);
        foreach (var name in new[] { $"{stack.Name}-web-1", $"{stack.Name}-web-2", $"{stack.Name}-db-1" })
        {
            var container = await stack.InspectAsync(name);
            Assert.True(container.State.Running, $"{name} is {container.State.Status}");
            Assert.Equal(stack.Name, container.Config.Labels["com.docker.compose.project"]);
            Assert.Equal("False", container.Config.Labels["com.docker.compose.oneoff"]);
            Assert.Equal("v1", container.Config.Labels["com.docker.compose.config-hash"]);
            Assert.Contains($"{stack.Name}_default", container.NetworkSettings.Networks.Keys);
        }

        Assert.Equal("2", (await stack.InspectAsync($"{stack.Name}-web-2")).Config.Labels["com.docker.compose.container-number"]);
        var images = await stack.Engine.Client.Images.InspectImageAsync(TestImages.Busybox);
        Assert.Equal(images.ID, result.ImageIds["web"]);
    }

    [Fact]
    public async Task Apply_Twice_SecondChangesNothing()
    {
        await using var stack = await CreateAsync();
        var project = stack.Project(Service("web", replicas: 2), Service("db"));
        Assert.True((await stack.ApplyAsync(project)).Converged);
        var before = (await stack.ContainersAsync()).ToDictionary(c => c.ID, c => c.Status);
        var since = UnixTime(DateTimeOffset.UtcNow);

        var again = await stack.ApplyAsync(project);

        var until = UnixTime(DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.True(again.Converged, again.Summary);
        Assert.True(again.Plan.IsEmpty, string.Join("; ", again.Plan.Steps));
        Assert.Empty(again.Outcomes);
        Assert.Equal(before.Keys.Order(), (await stack.ContainersAsync()).Select(c => c.ID).Order());
        var (_, events) = await ExternalProcess.RunAsync(
            "docker", TimeSpan.FromSeconds(30), "events", "--since", since, "--until", until, "--filter", $"label=com.docker.compose.project={stack.Name}", "--format", "{{.Type}} {{.Action}}");
        Assert.True(events.Trim().Length == 0, $"the no-op apply changed the engine: {events}");
    }

    [Fact]
    public async Task Apply_WhenOneServiceChanged_RecreatesOnlyThatService()
    {
        await using var stack = await CreateAsync();
        Assert.True((await stack.ApplyAsync(stack.Project(Service("web"), Service("db")))).Converged);
        var db = (await stack.InspectAsync($"{stack.Name}-db-1")).ID;
        var web = (await stack.InspectAsync($"{stack.Name}-web-1")).ID;

        var result = await stack.ApplyAsync(stack.Project(Service("web", hash: "v2", image: TestImages.BusyboxV2), Service("db")));

        Assert.True(result.Converged, result.Summary);
        Assert.Equal(db, (await stack.InspectAsync($"{stack.Name}-db-1")).ID);
        var replaced = await stack.InspectAsync($"{stack.Name}-web-1");
        Assert.NotEqual(web, replaced.ID);
        Assert.True(replaced.State.Running);
        Assert.Equal(TestImages.BusyboxV2, replaced.Config.Image);
        Assert.Equal(2, (await stack.ContainersAsync()).Count);
    }

    [Fact]
    public async Task Apply_Replacement_MountsTheOldContainersAnonymousVolume()
    {
        await using var stack = await CreateAsync();
        var web = Service("web") with { Volumes = [new ServiceVolume { Type = "volume", Target = "/state" }] };
        Assert.True((await stack.ApplyAsync(stack.Project(web))).Converged);
        var volume = (await stack.InspectAsync($"{stack.Name}-web-1")).Mounts.Single(m => m.Destination == "/state").Name;

        var result = await stack.ApplyAsync(stack.Project(web with { ConfigHash = "v2" }));

        Assert.True(result.Converged, result.Summary);
        Assert.Equal(volume, (await stack.InspectAsync($"{stack.Name}-web-1")).Mounts.Single(m => m.Destination == "/state").Name);
    }

    [Fact]
    public async Task Apply_ScalesUpThenDown()
    {
        await using var stack = await CreateAsync();
        Assert.True((await stack.ApplyAsync(stack.Project(Service("web", replicas: 1)))).Converged);
        var first = (await stack.InspectAsync($"{stack.Name}-web-1")).ID;

        var up = await stack.ApplyAsync(stack.Project(Service("web", replicas: 3)));
        Assert.True(up.Converged, up.Summary);
        Assert.Equal(3, (await stack.ContainersAsync()).Count(c => c.State == "running"));

        var down = await stack.ApplyAsync(stack.Project(Service("web", replicas: 1)));
        Assert.True(down.Converged, down.Summary);
        var left = Assert.Single(await stack.ContainersAsync());
        Assert.Equal(first, left.ID);
    }

    [Fact]
    public async Task Apply_ServiceRemovedFromStack_IsRemoved()
    {
        await using var stack = await CreateAsync();
        Assert.True((await stack.ApplyAsync(stack.Project(Service("web"), Service("old")))).Converged);

        var result = await stack.ApplyAsync(stack.Project(Service("web")));

        Assert.True(result.Converged, result.Summary);
        Assert.Equal([$"/{stack.Name}-web-1"], (await stack.ContainersAsync()).Select(c => c.Names[0]));
    }

    [Fact]
    public async Task Apply_StartFirst_StartsNewContainerBeforeStoppingOld()
    {
        await using var stack = await CreateAsync();
        Assert.True((await stack.ApplyAsync(stack.Project(Service("web")))).Converged);
        var web = Service("web", hash: "v2") with
        {
            Deploy = new ServiceDeploy { UpdateConfig = new DeployUpdateConfig { Order = "start-first" } },
        };

        var result = await stack.ApplyAsync(stack.Project(web));

        Assert.True(result.Converged, result.Summary);
        var order = stack.Completed.Select(o => o.Step.Id).ToList();
        Assert.True(order.IndexOf("start:web#1") < order.IndexOf("stop:web#1"), string.Join(", ", order));
        Assert.True((await stack.InspectAsync($"{stack.Name}-web-1")).State.Running);
    }

    [Fact]
    public async Task Apply_ContainerStoppedOrRemovedByHand_IsPutBack()
    {
        await using var stack = await CreateAsync();
        var project = stack.Project(Service("web", replicas: 2));
        Assert.True((await stack.ApplyAsync(project)).Converged);
        await stack.Engine.Client.Containers.StopContainerAsync($"{stack.Name}-web-1", new ContainerStopParameters { WaitBeforeKillSeconds = 0 });
        await stack.Engine.Client.Containers.RemoveContainerAsync($"{stack.Name}-web-2", new ContainerRemoveParameters { Force = true });

        var result = await stack.ApplyAsync(project);

        Assert.True(result.Converged, result.Summary);
        Assert.Equal(["create:web#2", "start:web#1", "start:web#2"], result.Plan.Steps.Select(s => s.Id).Order());
        Assert.True((await stack.InspectAsync($"{stack.Name}-web-1")).State.Running);
        Assert.True((await stack.InspectAsync($"{stack.Name}-web-2")).State.Running);
    }

    [Fact]
    public async Task Apply_ContainerUpdatedOutsideFleet_IsRecreatedWithItsSettings()
    {
        await using var stack = await CreateAsync();
        var project = stack.Project(Service("web") with { MemLimitBytes = 64 * 1024 * 1024 });
        Assert.True((await stack.ApplyAsync(project)).Converged);
        await stack.Engine.Client.Containers.UpdateContainerAsync($"{stack.Name}-web-1", new ContainerUpdateParameters { Memory = 96 * 1024 * 1024, MemorySwap = -1 });

        var result = await stack.ApplyAsync(project);

        Assert.True(result.Converged, result.Summary);
        Assert.Contains("memory limit", result.Plan.Find("create:web#1")?.Description, StringComparison.Ordinal);
        Assert.Equal(64 * 1024 * 1024, (await stack.InspectAsync($"{stack.Name}-web-1")).HostConfig.Memory);
    }

    [Fact]
    public async Task Apply_DependsOnHealthy_StartsDependentOnceDependencyIsHealthy()
    {
        await using var stack = await CreateAsync();
        var db = Service("db") with
        {
            Healthcheck = new ServiceHealthcheck { Test = ["CMD-SHELL", "true"], Interval = TimeSpan.FromMilliseconds(200), Retries = 3 },
        };
        var web = Service("web") with
        {
            DependsOn = ComposeCollections.ToMap([KeyValuePair.Create("db", new ServiceDependency { Condition = "service_healthy" })]),
        };

        var result = await stack.ApplyAsync(stack.Project(web, db));

        Assert.True(result.Converged, result.Summary);
        var order = stack.Completed.Select(o => o.Step.Id).ToList();
        Assert.True(order.IndexOf("healthy:db") < order.IndexOf("start:web#1"), string.Join(", ", order));
        Assert.Equal("healthy", (await stack.InspectAsync($"{stack.Name}-db-1")).State.Health.Status);
    }

    /// <summary>Seconds with milliseconds, as <c>docker events --since</c> takes them: whole seconds would catch the first apply.</summary>
    private static string UnixTime(DateTimeOffset time) =>
        (time.ToUnixTimeMilliseconds() / 1000m).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
}
