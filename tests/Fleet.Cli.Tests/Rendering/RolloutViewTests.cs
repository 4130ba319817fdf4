using Fleet.Cli.Rendering;
using Fleet.Protocol.Api;

namespace Fleet.Cli.Tests.Rendering;

public sealed class RolloutViewTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 18, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Render_AtWidth80_DrawsABarPerWaveWithItsCountsPerPhase()
    {
        var screen = Screen.Render(RolloutView.Render(Running(), color: false));

        Assert.Equal(
        [
            "rollout r-7f3a  web:3 -> site=berlin",
            "state running  waves 1,25%,100%  max failures 10%  wave timeout 10m",
            "wave 1  completed  [##############################]    1/1",
            "          committed 1",
            "wave 2  running    [#########===============------]    3/10",
            "          committed 3, verifying 2, applying 3, pending 2",
            "wave 3  pending    [------------------------------]    0/29",
            "          pending 29",
        ], screen);
    }

    [Fact]
    public void Render_APausedRollout_ShowsFailuresAndTheReason()
    {
        var paused = Running() with
        {
            State = RolloutStates.Paused,
            Reason = "wave 2: 3 of 10 devices failed (max 1)",
            Waves =
            [
                Wave(1, "completed", new PhaseCounts { Committed = 1 }),
                Wave(2, "failed", new PhaseCounts { Committed = 6, Failed = 2, RolledBack = 1, Offline = 1 }),
            ],
        };

        var screen = Screen.Render(RolloutView.Render(paused, color: false));

        Assert.Equal("wave 2  failed     [##################!!!!!!!!!---]    6/10", screen[4]);
        Assert.Equal("          committed 6, failed 2, rolled back 1, offline 1", screen[5]);
        Assert.Equal("reason: wave 2: 3 of 10 devices failed (max 1)", screen[^1]);
    }

    [Fact]
    public void Render_OnATerminalOf80Columns_KeepsEveryLineWithin80()
    {
        var crowded = Running() with
        {
            Target = "site in (berlin,paris,madrid,rome,vienna),tier!=canary,hardware=rpi4",
            Waves = [Wave(1, "running", new PhaseCounts { Pending = 1000, Downloading = 2000, Applying = 3000, Verifying = 4000, Committed = 5000, Failed = 600, RolledBack = 700, Offline = 800 })],
        };

        var screen = Screen.Render(RolloutView.Render(crowded, color: false), width: 80, terminal: true);

        Assert.All(screen, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        Assert.Contains(screen, l => l.Contains("17100", StringComparison.Ordinal));
    }

    [Fact]
    public void Summary_IsOneLinePerWave_ForPipes()
    {
        Assert.Equal(
            ["wave 1 completed: committed 1", "wave 2 running: committed 3, verifying 2, applying 3, pending 2", "wave 3 pending: pending 29"],
            RolloutView.Summary(Running()));
    }

    [Theory]
    [InlineData("completed", null, "rollout r-7f3a completed")]
    [InlineData("paused", "wave 2: 3 of 10 devices failed (max 1)", "rollout r-7f3a paused: wave 2: 3 of 10 devices failed (max 1)")]
    public void Outcome_SaysHowItEndedAndWhy(string state, string? reason, string expected)
    {
        Assert.Equal(expected, RolloutView.Outcome(Running() with { State = state, Reason = reason }));
    }

    [Fact]
    public void CountsText_OfAWaveWithNoDevicesYet_SaysSo()
    {
        Assert.Equal("no devices yet", RolloutView.CountsText(new PhaseCounts()));
    }

    internal static RolloutInfo Running() => new()
    {
        Id = "r-7f3a",
        Stack = "web",
        Version = 3,
        Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        Target = "site=berlin",
        State = RolloutStates.Running,
        CreatedAt = Now.AddMinutes(-5),
        UpdatedAt = Now,
        WavePlan = ["1", "25%", "100%"],
        MaxFailures = "10%",
        WaveTimeoutSeconds = 600,
        Waves =
        [
            Wave(1, "completed", new PhaseCounts { Committed = 1 }),
            Wave(2, "running", new PhaseCounts { Committed = 3, Verifying = 2, Applying = 3, Pending = 2 }),
            Wave(3, "pending", new PhaseCounts { Pending = 29 }),
        ],
    };

    private static WaveInfo Wave(int number, string state, PhaseCounts counts) =>
        new() { Number = number, State = state, Counts = counts, StartedAt = state == "pending" ? null : Now };
}
