// Docker.DotNet annotates what the engine always fills in as nullable; a null there fails the test anyway.
#nullable disable warnings
using Fleet.Compose.Model;
using Fleet.IntegrationTests.Infrastructure;
using static Fleet.IntegrationTests.Infrastructure.TestProject;

namespace Fleet.IntegrationTests.Engine;

/// <summary>Each failure has a real cause; each test checks that what ran before still runs.</summary>
public sealed class ApplyFailureTests(DockerRegistry registry) : IClassFixture<DockerRegistry>
{
    [Fact]
    public async Task Apply_WhenImageMissing_KeepsOldContainerRunning()
    {
        await using var project = await CreateAsync();
        Assert.True((await project.ApplyAsync(project.Project(Service("web"), Service("db")))).Converged);
        var before = await RunningIdsAsync(project);

        var result = await project.ApplyAsync(project.Project(Service("web", hash: "v2", image: $"{registry.Host}/missing/{Guid.NewGuid():N}:nope"), Service("db", hash: "v2")));

        Assert.False(result.Converged);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("web", failure.Service);
        Assert.Equal("pull:web", failure.StepId);
        Assert.Contains("not found", failure.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await RunningIdsAsync(project));
    }

    [Fact]
    public async Task Apply_WhenNewContainerCannotBeCreated_KeepsOldContainerRunning()
    {
        await using var project = await CreateAsync();
        Assert.True((await project.ApplyAsync(project.Project(Service("web"), Service("db")))).Converged);
        var before = await RunningIdsAsync(project);

        // The engine refuses a memory limit under 6 MB when the container is created.
        var result = await project.ApplyAsync(project.Project(Service("web", hash: "v2") with { MemLimitBytes = 1024 * 1024 }, Service("db")));

        Assert.False(result.Converged);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(("web", "create:web#1"), (failure.Service, failure.StepId));
        Assert.Contains("memory", failure.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await RunningIdsAsync(project));
        Assert.Equal(2, (await project.ContainersAsync()).Count);
    }

    [Fact]
    public async Task Apply_WhenPortTakenByAnotherContainer_KeepsOldContainerAndNamesThePortAndHolder()
    {
        var port = FreePort.Next();
        await using var holder = await CreateAsync("fleet-it-holder");
        var published = new ServicePort { Target = 80, Published = port.ToString(System.Globalization.CultureInfo.InvariantCulture), HostIp = "127.0.0.1" };
        Assert.True((await holder.ApplyAsync(holder.Project(Service("web") with { Ports = [published] }))).Converged);
        await using var project = await CreateAsync();
        Assert.True((await project.ApplyAsync(project.Project(Service("web"), Service("db")))).Converged);
        var before = await RunningIdsAsync(project);

        var result = await project.ApplyAsync(project.Project(Service("web", hash: "v2") with { Ports = [published] }, Service("db")));

        Assert.False(result.Converged);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("start:web#1", failure.StepId);
        Assert.Contains($"port 127.0.0.1:{port} is already in use by container {holder.Name}-web-1", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(before, await RunningIdsAsync(project));
        Assert.Equal(2, (await project.ContainersAsync()).Count);
    }

    [Fact]
    public async Task Apply_WhenDependencyTurnsUnhealthy_KeepsDependentsOldContainerRunning()
    {
        await using var project = await CreateAsync();
        var healthy = new ServiceHealthcheck { Test = ["CMD-SHELL", "true"], Interval = TimeSpan.FromMilliseconds(200), Retries = 1 };
        var web = Service("web") with
        {
            DependsOn = ComposeCollections.ToMap([KeyValuePair.Create("db", new ServiceDependency { Condition = "service_healthy" })]),
        };
        Assert.True((await project.ApplyAsync(project.Project(web, Service("db") with { Healthcheck = healthy }, Service("other")))).Converged);
        var webBefore = (await project.InspectAsync($"{project.Name}-web-1")).ID;

        var result = await project.ApplyAsync(project.Project(
            web with { ConfigHash = "v2" },
            Service("db", hash: "v2") with { Healthcheck = healthy with { Test = ["CMD-SHELL", "exit 1"] } },
            Service("other")));

        Assert.False(result.Converged);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(("db", "healthy:db"), (failure.Service, failure.StepId));
        Assert.Contains("unhealthy", failure.Reason, StringComparison.Ordinal);
        var webNow = await project.InspectAsync($"{project.Name}-web-1");
        Assert.Equal(webBefore, webNow.ID);
        Assert.True(webNow.State.Running);
        Assert.True((await project.InspectAsync($"{project.Name}-other-1")).State.Running);
        Assert.Equal(3, (await project.ContainersAsync()).Count);
    }

    [Fact]
    public async Task Apply_WhenDependencyExitsNonZero_SaysSoAndKeepsOthersRunning()
    {
        await using var project = await CreateAsync();
        Assert.True((await project.ApplyAsync(project.Project(Service("other")))).Converged);
        var before = await RunningIdsAsync(project);
        var init = Service("init") with { Command = ["sh", "-c", "exit 3"] };
        var web = Service("web") with
        {
            DependsOn = ComposeCollections.ToMap([KeyValuePair.Create("init", new ServiceDependency { Condition = "service_completed_successfully" })]),
        };

        var result = await project.ApplyAsync(project.Project(init, web, Service("other")));

        Assert.False(result.Converged);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(("init", "completed:init"), (failure.Service, failure.StepId));
        Assert.Contains("exited with code 3", failure.Reason, StringComparison.Ordinal);
        Assert.Equal(before, await RunningIdsAsync(project));
    }

    [Fact]
    public async Task Apply_WhenDependencyCompletesSuccessfully_StartsDependentAfterIt()
    {
        await using var project = await CreateAsync();
        var init = Service("init") with { Command = ["sh", "-c", "exit 0"] };
        var web = Service("web") with
        {
            DependsOn = ComposeCollections.ToMap([KeyValuePair.Create("init", new ServiceDependency { Condition = "service_completed_successfully" })]),
        };

        var result = await project.ApplyAsync(project.Project(init, web));
        var again = await project.ApplyAsync(project.Project(init, web));

        Assert.True(result.Converged, result.Summary);
        Assert.True((await project.InspectAsync($"{project.Name}-web-1")).State.Running);
        Assert.True(again.Plan.IsEmpty, string.Join("; ", again.Plan.Steps));
    }

    private static async Task<List<string>> RunningIdsAsync(TestProject project) =>
        [.. (await project.ContainersAsync()).Where(c => c.State == "running").Select(c => c.ID).Order(StringComparer.Ordinal)];
}
