// Docker.DotNet annotates what the engine always fills in as nullable; a null there fails the test anyway.
#nullable disable warnings
using Fleet.Compose.Model;
using Fleet.IntegrationTests.Infrastructure;
using static Fleet.IntegrationTests.Infrastructure.TestProject;

namespace Fleet.IntegrationTests.Engine;

/// <summary><c>depends_on: {db: {restart: true}}</c>: a dependent is restarted when an apply recreates or restarts its dependency.</summary>
public sealed class DependsOnRestartTests
{
    private static ServiceConfig Web(bool restart) => Service("web") with
    {
        DependsOn = ComposeCollections.ToMap([KeyValuePair.Create("db", new ServiceDependency { Restart = restart })]),
    };

    [Fact]
    public async Task Apply_WhenDependencyRecreated_RestartsDependentWithRestartTrue()
    {
        await using var stack = await CreateAsync();
        Assert.True((await stack.ApplyAsync(stack.Project(Web(restart: true), Service("db")))).Converged);
        var before = await stack.InspectAsync($"{stack.Name}-web-1");

        var result = await stack.ApplyAsync(stack.Project(Web(restart: true), Service("db", hash: "v2")));

        Assert.True(result.Converged, result.Summary);
        var after = await stack.InspectAsync($"{stack.Name}-web-1");
        var db = await stack.InspectAsync($"{stack.Name}-db-1");
        Assert.Equal(before.ID, after.ID);
        Assert.True(after.State.Running);
        Assert.True(
            DateTime.Parse(after.State.StartedAt, null, System.Globalization.DateTimeStyles.RoundtripKind) > DateTime.Parse(db.State.StartedAt, null, System.Globalization.DateTimeStyles.RoundtripKind),
            $"web started at {after.State.StartedAt}, before its dependency db was started at {db.State.StartedAt}");
        var order = stack.Completed.Select(o => o.Step.Id).ToList();
        Assert.True(order.IndexOf("start:db#1") < order.IndexOf("restart:web#1"), string.Join(", ", order));
    }

    [Fact]
    public async Task Apply_WhenDependencyRecreated_LeavesDependentWithoutRestartRunning()
    {
        await using var stack = await CreateAsync();
        Assert.True((await stack.ApplyAsync(stack.Project(Web(restart: false), Service("db")))).Converged);
        var before = await stack.InspectAsync($"{stack.Name}-web-1");

        var result = await stack.ApplyAsync(stack.Project(Web(restart: false), Service("db", hash: "v2")));

        Assert.True(result.Converged, result.Summary);
        var after = await stack.InspectAsync($"{stack.Name}-web-1");
        Assert.Equal(before.ID, after.ID);
        Assert.Equal(before.State.StartedAt, after.State.StartedAt);
    }
}
