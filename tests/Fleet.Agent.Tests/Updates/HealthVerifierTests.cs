using Fleet.Agent.Updates;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Agent.Tests.Updates;

public sealed class HealthVerifierTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly DateTimeOffset _started;

    public HealthVerifierTests() => _started = _time.GetUtcNow();

    private TimeSpan Elapsed => _time.GetUtcNow() - _started;

    [Fact]
    public void RunningServices_ArePending_UntilTheWindowEnds_ThenPass()
    {
        var expected = new[] { Service("web"), Service("db") };
        var observed = new[] { Running("web"), Running("db") };

        _time.Advance(TimeSpan.FromSeconds(29));
        var during = HealthVerifier.Evaluate(expected, observed, Baselines(), Elapsed);
        _time.Advance(TimeSpan.FromSeconds(1));
        var after = HealthVerifier.Evaluate(expected, observed, Baselines(), Elapsed);

        Assert.Equal(HealthOutcome.Pending, during.Outcome);
        Assert.Equal(HealthOutcome.Passed, after.Outcome);
    }

    [Fact]
    public void RestartCountGrowingPastItsBaseline_FailsAsCrashLooping_BeforeTheWindowEnds()
    {
        _time.Advance(TimeSpan.FromSeconds(3));

        var verdict = HealthVerifier.Evaluate([Service("web")], [Running("web") with { RestartCount = 4, ExitCode = 1 }], Baselines(("web-1", 2)), Elapsed);

        Assert.Equal(HealthOutcome.Failed, verdict.Outcome);
        Assert.Equal(("crash-looping", "app", "web"), (verdict.Failure!.Code, verdict.Failure.Stack, verdict.Failure.Service));
        Assert.Contains("restarted 2 time(s)", verdict.Failure.Message, StringComparison.Ordinal);
        Assert.Contains("exit code 1", verdict.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RestartCountAtItsBaseline_IsNoFailure()
    {
        _time.Advance(Window);

        var verdict = HealthVerifier.Evaluate([Service("web")], [Running("web") with { RestartCount = 2 }], Baselines(("web-1", 2)), Elapsed);

        Assert.Equal(HealthOutcome.Passed, verdict.Outcome);
    }

    [Fact]
    public void ContainerInRestartingState_FailsAsCrashLooping()
    {
        var verdict = HealthVerifier.Evaluate([Service("web")], [Running("web") with { State = "restarting", ExitCode = 2 }], Baselines(), Elapsed);

        Assert.Equal("crash-looping", verdict.Failure?.Code);
    }

    [Fact]
    public void UnhealthyContainer_FailsAtOnce()
    {
        _time.Advance(TimeSpan.FromSeconds(1));

        var verdict = HealthVerifier.Evaluate([Service("web")], [Running("web") with { Health = "unhealthy" }], Baselines(), Elapsed);

        Assert.Equal(("unhealthy", "web"), (verdict.Failure?.Code, verdict.Failure?.Service));
    }

    [Fact]
    public void HealthcheckStillStarting_IsPendingWithinItsWindow_AndFailsAfterIt()
    {
        var expected = new[] { Service("web") with { Window = TimeSpan.FromSeconds(10) }, Service("db") };
        var observed = new[] { Running("web") with { Health = "starting" }, Running("db") };

        _time.Advance(TimeSpan.FromSeconds(9));
        var within = HealthVerifier.Evaluate(expected, observed, Baselines(), Elapsed);
        _time.Advance(TimeSpan.FromSeconds(1));
        var after = HealthVerifier.Evaluate(expected, observed, Baselines(), Elapsed);

        Assert.Equal(HealthOutcome.Pending, within.Outcome);
        Assert.Equal(("not-ready", "web"), (after.Failure?.Code, after.Failure?.Service));
        Assert.Contains("10 s", after.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServicesWithShorterWindows_StayWatched_UntilTheLongestWindowEnds()
    {
        var expected = new[] { Service("web") with { Window = TimeSpan.FromSeconds(5) }, Service("db") };

        _time.Advance(TimeSpan.FromSeconds(10));
        var healthy = HealthVerifier.Evaluate(expected, [Running("web") with { Health = "healthy" }, Running("db")], Baselines(), Elapsed);
        var crashed = HealthVerifier.Evaluate(expected, [Running("web") with { State = "exited", ExitCode = 137 }, Running("db")], Baselines(), Elapsed);

        Assert.Equal(HealthOutcome.Pending, healthy.Outcome);
        Assert.Equal(("exited", "web"), (crashed.Failure?.Code, crashed.Failure?.Service));
        Assert.Contains("code 137", crashed.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OneOffThatExitedZero_Passes_ButOneThatExitedNonZero_Fails()
    {
        var expected = new[] { Service("migrate") with { IsOneOff = true }, Service("web") };
        _time.Advance(Window);

        var done = HealthVerifier.Evaluate(expected, [Running("migrate") with { State = "exited", ExitCode = 0 }, Running("web")], Baselines(), Elapsed);
        var broken = HealthVerifier.Evaluate(expected, [Running("migrate") with { State = "exited", ExitCode = 3 }, Running("web")], Baselines(), Elapsed);

        Assert.Equal(HealthOutcome.Passed, done.Outcome);
        Assert.Equal(("exited", "migrate"), (broken.Failure?.Code, broken.Failure?.Service));
    }

    [Fact]
    public void OneOffStillRunning_IsPendingWithinItsWindow_AndFailsAfterIt()
    {
        var expected = new[] { Service("migrate") with { IsOneOff = true } };

        var within = HealthVerifier.Evaluate(expected, [Running("migrate")], Baselines(), Elapsed);
        _time.Advance(Window);
        var after = HealthVerifier.Evaluate(expected, [Running("migrate")], Baselines(), Elapsed);

        Assert.Equal(HealthOutcome.Pending, within.Outcome);
        Assert.Equal("not-ready", after.Failure?.Code);
        Assert.Contains("has not completed", after.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LongRunningServiceThatExitedZero_Fails()
    {
        var verdict = HealthVerifier.Evaluate([Service("web")], [Running("web") with { State = "exited", ExitCode = 0 }], Baselines(), Elapsed);

        Assert.Equal("exited", verdict.Failure?.Code);
    }

    [Fact]
    public void FewerContainersThanReplicas_FailsAsMissing()
    {
        var verdict = HealthVerifier.Evaluate([Service("web") with { Replicas = 2 }], [Running("web")], Baselines(), Elapsed);

        Assert.Equal("missing", verdict.Failure?.Code);
        Assert.Contains("has 1 of 2", verdict.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContainerNeverStarted_Fails()
    {
        var verdict = HealthVerifier.Evaluate([Service("web")], [Running("web") with { State = "created" }], Baselines(), Elapsed);

        Assert.Equal("exited", verdict.Failure?.Code);
        Assert.Contains("is created", verdict.Failure!.Message, StringComparison.Ordinal);
    }

    private static ServiceExpectation Service(string name) => new("app", name, 1, Window, IsOneOff: false);

    private static ContainerHealth Running(string service) => new("app", service, $"{service}-1", "running", null, 0, 0);

    private static Dictionary<string, long> Baselines(params (string Id, long Count)[] counts) =>
        counts.ToDictionary(c => c.Id, c => c.Count, StringComparer.Ordinal);
}
