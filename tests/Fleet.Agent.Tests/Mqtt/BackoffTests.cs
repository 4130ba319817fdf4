using Fleet.Agent.Mqtt;

namespace Fleet.Agent.Tests.Mqtt;

public sealed class BackoffTests
{
    [Fact]
    public void Delay_DoublesPerAttempt_UpToTheMaximum_WithoutJitter()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), Jitter: 0);

        var delays = Enumerable.Range(0, 8).Select(i => backoff.Delay(i, new Random(1)).TotalSeconds).ToArray();

        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], delays);
    }

    [Fact]
    public void Delay_WithJitter_SpreadsWithinTheJitterShare()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), Jitter: 0.5);
        var random = new Random(7);

        var delays = Enumerable.Range(0, 200).Select(_ => backoff.Delay(3, random).TotalSeconds).ToArray();

        Assert.All(delays, d => Assert.InRange(d, 5, 10));
        Assert.True(delays.Distinct().Count() > 100, "jittered delays should differ from device to device");
    }

    [Fact]
    public void Delay_AtHugeAttemptNumbers_StaysAtTheMaximum()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2), Jitter: 0);

        Assert.Equal(TimeSpan.FromMinutes(2), backoff.Delay(int.MaxValue, new Random(1)));
    }
}
