using Fleet.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Protocol.Tests.Messages;

public sealed class ReportPacingTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void FirstReport_GoesAtOnce_AndTheNextIsHeldUntilTheIntervalAfterIt()
    {
        var pacing = new ReportPacing(TimeSpan.FromSeconds(1), _time);
        Assert.Equal(TimeSpan.Zero, pacing.Hold());

        pacing.Reported();
        _time.Advance(TimeSpan.FromMilliseconds(300));

        Assert.Equal(TimeSpan.FromMilliseconds(700), pacing.Hold());
        _time.Advance(TimeSpan.FromMilliseconds(700));
        Assert.Equal(TimeSpan.Zero, pacing.Hold());
    }

    [Fact]
    public void AfterAQuietSpell_TheNextReportGoesAtOnce_AndHoldingStartsAgainFromIt()
    {
        var pacing = new ReportPacing(TimeSpan.FromSeconds(1), _time);
        pacing.Reported();
        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(TimeSpan.Zero, pacing.Hold());
        pacing.Reported();
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(900), pacing.Hold());
    }

    [Fact]
    public void ZeroInterval_NeverHolds()
    {
        var pacing = new ReportPacing(TimeSpan.Zero, _time);
        pacing.Reported();

        Assert.Equal(TimeSpan.Zero, pacing.Hold());
    }
}
