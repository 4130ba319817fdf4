using Fleet.Protocol.Policy;
using Fleet.Protocol.Signing;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Protocol.Tests.Policy;

public class AcceptanceWindowTests
{
    [Theory]
    [InlineData(-60, RefusalReason.None)]
    [InlineData(0, RefusalReason.None)]
    [InlineData(4, RefusalReason.None)]
    [InlineData(6, RefusalReason.Expired)]
    [InlineData(60 * 24 * 365, RefusalReason.Expired)]
    public void Check_RefusesOnlyPastAcceptUntilPlusSkew(int minutesAfterAcceptUntil, RefusalReason expected)
    {
        var desired = TestPki.Desired(1) with { AcceptUntil = TestPki.Now };
        var window = new AcceptanceWindow(new FakeTimeProvider(TestPki.Now.AddMinutes(minutesAfterAcceptUntil)), TimeSpan.FromMinutes(5));

        Assert.Equal(expected, window.Check(desired).Reason);
    }

    [Fact]
    public void Check_WhenThereIsNoAcceptUntil_Accepts()
    {
        var window = new AcceptanceWindow(new FakeTimeProvider(DateTimeOffset.MaxValue.AddYears(-1)), TimeSpan.Zero);

        Assert.True(window.Check(TestPki.Desired(1) with { AcceptUntil = null }).IsAccepted);
    }

    [Fact]
    public void Check_WhenTheClockMovesPastAcceptUntil_StartsRefusing()
    {
        var clock = new FakeTimeProvider(TestPki.Now);
        var window = new AcceptanceWindow(clock, TimeSpan.Zero);
        var desired = TestPki.Desired(1) with { AcceptUntil = TestPki.Now.AddHours(1) };
        Assert.True(window.Check(desired).IsAccepted);

        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        var decision = window.Check(desired);
        Assert.Equal(RefusalReason.Expired, decision.Reason);
        Assert.Equal("expired", decision.Code);
    }
}
