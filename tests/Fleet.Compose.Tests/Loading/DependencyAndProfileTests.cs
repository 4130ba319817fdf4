namespace Fleet.Compose.Tests.Loading;

public class DependencyAndProfileTests
{
    [Fact]
    public void DependsOn_ListAndMap_AreNormalizedToLongForm()
    {
        var project = TestLoader.Project("""
            services:
              web:
                image: x
                depends_on:
                  db: {condition: service_healthy, restart: true}
                  cache:
              worker: {image: x, depends_on: [db]}
              db: {image: x}
              cache: {image: x}
            """);

        var web = project.Services["web"].DependsOn;
        Assert.Equal(("service_healthy", true, true), (web["db"].Condition, web["db"].Required, web["db"].Restart));
        Assert.Equal("service_started", web["cache"].Condition);
        Assert.Equal("service_started", project.Services["worker"].DependsOn["db"].Condition);
    }

    [Fact]
    public void DependsOn_UnknownServiceOrCondition_IsAnError()
    {
        var errors = TestLoader.Errors("services:\n  web:\n    image: x\n    depends_on:\n      db: {condition: service_ready}\n      cache:\n");

        Assert.Contains("invalid condition \"service_ready\"", errors, StringComparison.Ordinal);
        Assert.Contains("depends on undefined service \"db\"", errors, StringComparison.Ordinal);
        Assert.Contains("depends on undefined service \"cache\"", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void DependencyCycle_IsNamed()
    {
        var errors = TestLoader.Errors("services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [c]}\n  c: {image: x, depends_on: [a]}\n");

        Assert.Contains("dependency cycle: a -> b -> c -> a", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Profiles_ServicesOutsideActiveProfilesAreLeftOut()
    {
        const string yaml = "services:\n  web: {image: x}\n  debug: {image: x, profiles: [debug]}\n";

        Assert.Equal(["web"], TestLoader.Project(yaml).Services.Keys);
        Assert.Equal(["debug", "web"], TestLoader.Project(yaml, profiles: ["debug"]).Services.Keys);
    }

    [Fact]
    public void Profiles_DependencyOnInactiveService_IsAnErrorUnlessNotRequired()
    {
        var errors = TestLoader.Errors("services:\n  web: {image: x, depends_on: [debug]}\n  debug: {image: x, profiles: [debug]}\n");
        Assert.Contains("depends on service \"debug\", which is not in the active profiles", errors, StringComparison.Ordinal);

        var project = TestLoader.Project("services:\n  web:\n    image: x\n    depends_on: {debug: {required: false}}\n  debug: {image: x, profiles: [debug]}\n");
        Assert.Empty(project.Services["web"].DependsOn);
    }

    [Fact]
    public void Profiles_CycleThroughInactiveService_IsNotACycle()
    {
        var project = TestLoader.Project("services:\n  a: {image: x, depends_on: {b: {required: false}}}\n  b: {image: x, profiles: [p], depends_on: [a]}\n");

        Assert.Equal(["a"], project.Services.Keys);
    }
}
