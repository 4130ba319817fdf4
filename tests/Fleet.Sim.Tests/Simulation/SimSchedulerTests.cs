using Fleet.Sim.Simulation;
using Microsoft.Extensions.Time.Testing;

namespace Fleet.Sim.Tests.Simulation;

/// <summary>The fleet's one clock, on a fake time provider: what runs when, never how fast.</summary>
public sealed class SimSchedulerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly SimScheduler _scheduler;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _ran = [];
    private readonly SemaphoreSlim _progress = new(0);

    public SimSchedulerTests()
    {
        _scheduler = new SimScheduler(_time, concurrency: 4);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _scheduler.Dispose();
        _progress.Dispose();
    }

    [Fact]
    public async Task Schedule_RunsWorkByDueTime_NotByTheOrderItWasScheduled()
    {
        var loop = _scheduler.RunAsync(_stop.Token);
        _scheduler.Schedule(TimeSpan.FromSeconds(2), Record("late"));
        _scheduler.Schedule(TimeSpan.FromSeconds(1), Record("early"));
        _scheduler.Schedule(TimeSpan.Zero, Record("now"));

        await WaitForAsync(1);
        _time.Advance(TimeSpan.FromSeconds(1));
        await WaitForAsync(2);
        var beforeLate = Snapshot();
        _time.Advance(TimeSpan.FromSeconds(1));
        await WaitForAsync(3);

        Assert.Equal(["now", "early"], beforeLate);
        Assert.Equal(["now", "early", "late"], Snapshot());
        Assert.False(loop.IsCompleted);
    }

    [Fact]
    public async Task Schedule_WithoutTimeAdvancing_LeavesDelayedWorkQueued()
    {
        _ = _scheduler.RunAsync(_stop.Token);
        _scheduler.Schedule(TimeSpan.FromMilliseconds(100), Record("delayed"));
        _scheduler.Schedule(TimeSpan.Zero, Record("now"));

        await WaitForAsync(1);

        Assert.Equal(["now"], Snapshot());
        Assert.Equal(1, _scheduler.Outstanding);
    }

    [Fact]
    public async Task RunAsync_WhenWorkThrows_EndsWithThatException()
    {
        var loop = _scheduler.RunAsync(_stop.Token);

        _scheduler.Schedule(TimeSpan.Zero, _ => throw new InvalidOperationException("a bug in simulated work"));

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => loop.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("a bug in simulated work", thrown.Message);
    }

    private Func<CancellationToken, Task> Record(string name) => _ =>
    {
        lock (_ran)
        {
            _ran.Add(name);
        }

        _progress.Release();
        return Task.CompletedTask;
    };

    private string[] Snapshot()
    {
        lock (_ran)
        {
            return [.. _ran];
        }
    }

    private async Task WaitForAsync(int count)
    {
        while (Snapshot().Length < count)
        {
            Assert.True(await _progress.WaitAsync(TimeSpan.FromSeconds(60)), $"{count} work items did not run");
        }
    }
}
