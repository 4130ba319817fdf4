using System.Collections.Concurrent;
using System.Diagnostics;
using Fleet.Protocol.Enrollment;

namespace Fleet.Sim.Simulation;

/// <summary>
/// The simulated devices of one run and the one scheduler that drives them. Connections are opened
/// by one pacing loop at a bounded rate and concurrency (a broker takes a flood of 10,000 TLS-less
/// connects badly, and so would a real fleet after an outage); a dropped session is reconnected
/// through the same scheduler with exponential backoff and jitter, never from MQTTnet's handler.
/// </summary>
public sealed class SimFleet : IAsyncDisposable
{
    private readonly SimRuntime _runtime;
    private readonly List<SimDevice> _devices = [];
    private readonly SemaphoreSlim _connectSlots;
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _failureReasons = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _allConnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _scheduler;
    private long _connected;
    private long _everConnected;
    private long _reconnects;

    public SimFleet(SimRuntime runtime, IEnumerable<EnrollmentResponse> enrollments)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(enrollments);
        _runtime = runtime;
        _connectSlots = new SemaphoreSlim(runtime.Options.ConnectConcurrency, runtime.Options.ConnectConcurrency);
        foreach (var enrollment in enrollments)
        {
            _devices.Add(new SimDevice(runtime, enrollment, runtime.NextFails(), OnConnectionLost));
        }
    }

    public IReadOnlyList<SimDevice> Devices => _devices;

    public SimRuntime Runtime => _runtime;

    /// <summary>Sessions up right now.</summary>
    public long Connected => Interlocked.Read(ref _connected);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Completes the first time every device has been connected.</summary>
    public Task AllConnected => _allConnected.Task;

    /// <summary>Why connects failed, with counts (e.g. <c>BadUserNameOrPassword</c>), for the run's summary.</summary>
    public IReadOnlyDictionary<string, int> ConnectFailures => _failureReasons;

    /// <summary>
    /// Starts the scheduler and opens every session, paced; <paramref name="progress"/> hears after
    /// each <paramref name="progressEvery"/> first connects. Returns when every device had its first
    /// attempt; devices that failed it keep retrying in the background.
    /// </summary>
    public async Task StartAsync(int progressEvery, Action<long, TimeSpan>? progress, CancellationToken cancellationToken)
    {
        _scheduler ??= _runtime.Scheduler.RunAsync(_stop.Token);
        if (_devices.Count == 0)
        {
            _allConnected.TrySetResult();
            return;
        }

        var clock = Stopwatch.StartNew();
        var interval = TimeSpan.FromSeconds(1.0 / _runtime.Options.ConnectRate);
        var pending = new List<Task>(_devices.Count);
        for (var i = 0; i < _devices.Count; i++)
        {
            // Pace against the start, not the previous connect, so a slow one does not lower the rate.
            var due = interval * i;
            if (due > clock.Elapsed + TimeSpan.FromMilliseconds(5))
            {
                await Task.Delay(due - clock.Elapsed, _runtime.TimeProvider, cancellationToken);
            }

            await _connectSlots.WaitAsync(cancellationToken);
            var device = _devices[i];
            pending.Add(ConnectOneAsync(device, first: true, () =>
            {
                var count = Interlocked.Increment(ref _everConnected);
                if (progress is not null && progressEvery > 0 && count % progressEvery == 0)
                {
                    progress(count, clock.Elapsed);
                }
            }));
        }

        await Task.WhenAll(pending);
    }

    /// <summary>
    /// Every device reports its status again each <paramref name="period"/>, as the agent's heartbeat
    /// does; first beats spread over one period so the broker sees a steady rate, not a wave.
    /// </summary>
    public void StartHeartbeat(TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        foreach (var device in _devices)
        {
            _runtime.Scheduler.Schedule(period * Random.Shared.NextDouble(), Beat);

            Task Beat(CancellationToken cancellationToken)
            {
                device.Heartbeat();
                _runtime.Scheduler.Schedule(period, Beat);
                return Task.CompletedTask;
            }
        }
    }

    /// <summary>Says goodbye on every session (retained offline, normal disconnect) within <paramref name="timeout"/>, then stops the scheduler.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            await Parallel.ForEachAsync(
                _devices,
                new ParallelOptions { MaxDegreeOfParallelism = _runtime.Options.ConnectConcurrency, CancellationToken = bound.Token },
                async (device, cancellationToken) => await device.DisconnectAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            _runtime.Log($"fleet-sim: stopped saying goodbye after {timeout.TotalSeconds:F0} s; the broker publishes the remaining wills");
        }

        await _stop.CancelAsync();
        if (_scheduler is not null)
        {
            try
            {
                await _scheduler;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync(TimeSpan.FromSeconds(10));
        }

        foreach (var device in _devices)
        {
            device.Dispose();
        }

        _stop.Dispose();
        _connectSlots.Dispose();
    }

    private async Task ConnectOneAsync(SimDevice device, bool first, Action? firstConnected)
    {
        try
        {
            var outcome = await device.ConnectAsync(_stop.Token);
            if (outcome.IsConnected)
            {
                _attempts.TryRemove(device.Id, out _);
                if (Interlocked.Increment(ref _connected) == _devices.Count)
                {
                    _allConnected.TrySetResult();
                }

                if (first)
                {
                    firstConnected?.Invoke();
                }

                return;
            }

            _failureReasons.AddOrUpdate(outcome.Reason ?? "unknown", 1, (_, n) => n + 1);
            ScheduleReconnect(device, first, firstConnected);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            _connectSlots.Release();
        }
    }

    private void OnConnectionLost(SimDevice device, bool wasConnected)
    {
        if (!wasConnected || _stop.IsCancellationRequested)
        {
            return; // A failed attempt: ConnectOneAsync schedules the retry.
        }

        Interlocked.Decrement(ref _connected);
        Interlocked.Increment(ref _reconnects);
        ScheduleReconnect(device, first: false, null);
    }

    private void ScheduleReconnect(SimDevice device, bool first, Action? firstConnected)
    {
        var attempt = _attempts.AddOrUpdate(device.Id, 1, (_, n) => n + 1);
        // 1 s, 2 s, 4 s ... 60 s, ±50 %: a broker restart does not get all devices back in one instant.
        var backoff = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(attempt - 1, 6))));
        var delay = backoff * (0.5 + Random.Shared.NextDouble());
        _runtime.Scheduler.Schedule(delay, async cancellationToken =>
        {
            await _connectSlots.WaitAsync(cancellationToken);
            await ConnectOneAsync(device, first, firstConnected);
        });
    }
}
