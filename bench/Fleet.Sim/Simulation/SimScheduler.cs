namespace Fleet.Sim.Simulation;

/// <summary>
/// The one clock of the whole simulated fleet: a priority queue of work by due time, drained by a
/// single loop, instead of a timer per device (10,000 of them would cost memory and wake-ups).
/// Due work runs concurrently up to a bound; what a device does next is scheduled only when its
/// current work has finished, so each device's messages stay in order.
/// </summary>
public sealed class SimScheduler : IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _slots;
    private readonly PriorityQueue<Func<CancellationToken, Task>, (long Due, long Order)> _queue = new();
    private readonly Lock _gate = new();
    // Wakes the loop when the earliest queued work is due: one timer, re-armed, instead of a delay, a linked
    // cancellation and a WhenAny for every sleep (thousands a second in a rollout).
    private readonly ITimer _timer;
    private TaskCompletionSource _wake = NewSignal();
    private long _order;
    private long _running;
    // When the loop wakes by itself (UtcTicks): long.MinValue while it runs, long.MaxValue when nothing is queued.
    private long _sleepsUntil = long.MinValue;

    public SimScheduler(TimeProvider timeProvider, int concurrency)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrency);
        _timeProvider = timeProvider;
        _slots = new SemaphoreSlim(concurrency, concurrency);
        _timer = timeProvider.CreateTimer(_ => Wake(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Work queued or running; zero when the fleet is quiet.</summary>
    public long Outstanding
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count + Interlocked.Read(ref _running);
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> once <paramref name="delay"/> has passed; equal due times run in scheduling order.</summary>
    public void Schedule(TimeSpan delay, Func<CancellationToken, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var due = _timeProvider.GetUtcNow().UtcTicks + Math.Max(0, delay.Ticks);
        TaskCompletionSource? wake = null;
        lock (_gate)
        {
            _queue.Enqueue(work, (due, _order++));
            // Only when the loop sleeps past it: waking it for work due later (most of it) would cost it a new
            // timer and wait for every item scheduled, thousands a second.
            if (due < _sleepsUntil)
            {
                wake = _wake;
            }
        }

        wake?.TrySetResult();
    }

    /// <summary>Drains the queue until cancelled; work that throws is a bug and ends the run.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failure = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopping = cancellationToken.Register(Wake);
        while (!cancellationToken.IsCancellationRequested)
        {
            Func<CancellationToken, Task>? work = null;
            TimeSpan wait;
            var wakeAt = long.MaxValue;
            Task woken;
            lock (_gate)
            {
                var now = _timeProvider.GetUtcNow().UtcTicks;
                if (_queue.TryPeek(out var next, out var key) && key.Due <= now)
                {
                    _queue.Dequeue();
                    work = next;
                    wait = TimeSpan.Zero;
                    _sleepsUntil = long.MinValue;
                    Interlocked.Increment(ref _running);
                }
                else
                {
                    wait = _queue.Count > 0 ? TimeSpan.FromTicks(key.Due - now) : Timeout.InfiniteTimeSpan;
                    _sleepsUntil = wakeAt = _queue.Count > 0 ? key.Due : long.MaxValue;
                }

                if (_wake.Task.IsCompleted)
                {
                    _wake = NewSignal();
                }

                woken = _wake.Task;
            }

            if (work is not null)
            {
                await _slots.WaitAsync(cancellationToken);
                _ = RunOneAsync(work, failure, cancellationToken);
                continue;
            }

            if (failure.Task.IsCompleted)
            {
                await failure.Task;
            }

            // The timer, work scheduled before it fires, a failure or the cancellation ends the wait. The timer
            // counts from when it is armed: if the work fell due meanwhile, it is not waited for.
            _timer.Change(wait, Timeout.InfiniteTimeSpan);
            if (_timeProvider.GetUtcNow().UtcTicks >= wakeAt)
            {
                continue;
            }

            await woken;
            if (failure.Task.IsCompleted)
            {
                await failure.Task;
            }
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _slots.Dispose();
    }

    private async Task RunOneAsync(Func<CancellationToken, Task> work, TaskCompletionSource failure, CancellationToken cancellationToken)
    {
        try
        {
            await work(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
#pragma warning disable CA1031 // a bug in simulated work ends the run with its exception, not silently
        catch (Exception ex)
        {
            failure.TrySetException(ex);
            Wake();
        }
#pragma warning restore CA1031
        finally
        {
            Interlocked.Decrement(ref _running);
            _slots.Release();
        }
    }

    private void Wake()
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            wake = _wake;
        }

        wake.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
