using Fleet.Agent.Updates;
using Fleet.Compose;
using Fleet.Compose.Model;
using Fleet.Protocol.Messages;

namespace Fleet.Agent.Tests.Updates;

public sealed class HealthExpectationsTests
{
    private static readonly TimeSpan Default = TimeSpan.FromSeconds(30);

    [Fact]
    public void Window_IsTheServicesOwn_ThenTheStacks_ThenTheFilesTopLevel_ThenTheDefault()
    {
        const string compose = """
            x-fleet:
              health-window: 20s
            services:
              web:
                image: busybox
                x-fleet:
                  health-window: 1m30s
              db:
                image: busybox
            """;

        var fromFile = Windows(compose, null);
        var fromDesired = Windows(compose, TimeSpan.FromSeconds(45));
        var fromDefault = Windows("services:\n  db:\n    image: busybox\n", null);

        Assert.Equal(TimeSpan.FromSeconds(90), fromFile["web"]);
        Assert.Equal(TimeSpan.FromSeconds(20), fromFile["db"]);
        Assert.Equal(TimeSpan.FromSeconds(90), fromDesired["web"]);
        Assert.Equal(TimeSpan.FromSeconds(45), fromDesired["db"]);
        Assert.Equal(Default, fromDefault["db"]);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("12", 12_000)]
    public void HealthWindow_ReadsComposeDurations_AndBareSecondsNumbers(string written, int milliseconds)
    {
        var windows = Windows($"services:\n  web:\n    image: busybox\n    x-fleet:\n      health-window: {written}\n", null);

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), windows["web"]);
    }

    [Theory]
    [InlineData("x-fleet:\n  health-window: soon\nservices:\n  web:\n    image: busybox\n", "s1: x-fleet.health-window: 'soon' is not a duration")]
    [InlineData("services:\n  web:\n    image: busybox\n    x-fleet:\n      health-window: 10 s\n", "s1: services.web.x-fleet.health-window: '10 s' is not a duration")]
    [InlineData("services:\n  web:\n    image: busybox\n    x-fleet:\n      one-off: maybe\n", "s1: services.web.x-fleet.one-off: 'maybe' must be true or false")]
    [InlineData("services:\n  web:\n    image: busybox\n    x-fleet: 10s\n", "s1: services.web.x-fleet: must be a mapping")]
    public void BadXFleetValue_IsRefusedWithOneLineNamingTheField(string compose, string error)
    {
        var (expectations, problem) = HealthExpectations.For(Load(compose), Stack(compose, null), Default);

        Assert.Empty(expectations);
        Assert.NotNull(problem);
        Assert.StartsWith(error, problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
    }

    [Fact]
    public void OneOff_IsMarkedByXFleet_OrByAServiceWaitingForItToComplete()
    {
        const string compose = """
            services:
              migrate:
                image: busybox
              seed:
                image: busybox
                x-fleet: {one-off: true}
              web:
                image: busybox
                depends_on:
                  migrate: {condition: service_completed_successfully}
            """;

        var (expectations, error) = HealthExpectations.For(Load(compose), Stack(compose, null), Default);

        Assert.Null(error);
        Assert.Equal(
            [("migrate", true), ("seed", true), ("web", false)],
            expectations.OrderBy(e => e.Service, StringComparer.Ordinal).Select(e => (e.Service, e.IsOneOff)));
    }

    private static Dictionary<string, TimeSpan> Windows(string compose, TimeSpan? stackWindow)
    {
        var (expectations, error) = HealthExpectations.For(Load(compose), Stack(compose, stackWindow), Default);
        Assert.Null(error);
        return expectations.ToDictionary(e => e.Service, e => e.Window, StringComparer.Ordinal);
    }

    private static StackSpec Stack(string compose, TimeSpan? window) =>
        new() { Name = "s1", Digest = "sha256:0", Compose = compose, HealthWindow = window };

    private static ComposeProject Load(string compose)
    {
        var loaded = ComposeLoader.Load(new ComposeLoadOptions { Files = [new ComposeFile("s1/compose.yaml", compose)], ProjectName = "s1" });
        Assert.True(loaded.Succeeded, string.Join("; ", loaded.Errors));
        return loaded.Project!;
    }
}
