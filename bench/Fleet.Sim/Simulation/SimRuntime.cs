using Fleet.Protocol.Messages;
using Fleet.Protocol.Policy;
using MQTTnet;

namespace Fleet.Sim.Simulation;

/// <summary>
/// What every simulated device shares: one scheduler, one verifier, one trust cache, one MQTT client
/// factory, one random source and the counters the run reports. Nothing here is per device.
/// </summary>
public sealed class SimRuntime : IDisposable
{
    private readonly Random _random;
    private readonly Lock _randomGate = new();
    private long _messagesOut;
    private long _statusesOut;
    private long _accepted;
    private long _rejected;
    private long _committed;
    private long _rolledBack;

    public SimRuntime(SimOptions options, TimeProvider timeProvider, Action<string> log)
    {
        Options = options;
        TimeProvider = timeProvider;
        Log = log;
        Scheduler = new SimScheduler(timeProvider, options.PublishConcurrency > 0 ? options.PublishConcurrency : int.MaxValue);
        Verifier = new DesiredStateVerifier(timeProvider);
        _random = new Random(options.Seed);
    }

    public SimOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    public Action<string> Log { get; }

    public SimScheduler Scheduler { get; }

    public DesiredStateVerifier Verifier { get; }

    public TrustCache Trust { get; } = new();

    public MqttClientFactory ClientFactory { get; } = new();

    /// <summary>What a simulated device says about itself; one instance for all.</summary>
    public DeviceFacts Facts { get; } = new()
    {
        Os = "fleet-sim (simulated device)",
        Arch = "sim",
        Kernel = "sim",
        EngineVersion = "none (simulated)",
        Cpus = 4,
        MemoryBytes = 4L << 30,
        DiskFreeBytes = 16L << 30,
    };

    public long MessagesOut => Interlocked.Read(ref _messagesOut);

    /// <summary>Of <see cref="MessagesOut"/>, the statuses (the rest are event batches, presence and replies).</summary>
    public long StatusesOut => Interlocked.Read(ref _statusesOut);

    /// <summary>Desired states verified and accepted (their walks started).</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    public long Rejected => Interlocked.Read(ref _rejected);

    public long Committed => Interlocked.Read(ref _committed);

    public long RolledBack => Interlocked.Read(ref _rolledBack);

    /// <summary>The wait before a delayed phase: the phase delay ± the jitter fraction.</summary>
    public TimeSpan NextPhaseDelay()
    {
        var delay = Options.PhaseDelay;
        if (delay <= TimeSpan.Zero || Options.Jitter <= 0)
        {
            return delay;
        }

        double factor;
        lock (_randomGate)
        {
            factor = 1 + ((_random.NextDouble() * 2) - 1) * Options.Jitter;
        }

        return delay * factor;
    }

    /// <summary>Decides, once per device and repeatably for a seed, whether its updates fail.</summary>
    public bool NextFails()
    {
        if (Options.FailRate <= 0)
        {
            return false;
        }

        lock (_randomGate)
        {
            return _random.NextDouble() < Options.FailRate;
        }
    }

    public void Dispose() => Scheduler.Dispose();

    public void CountAccepted() => Interlocked.Increment(ref _accepted);

    public void CountPublished(bool status)
    {
        Interlocked.Increment(ref _messagesOut);
        if (status)
        {
            Interlocked.Increment(ref _statusesOut);
        }
    }

    public void CountOutcome(string phase)
    {
        switch (phase)
        {
            case DeploymentPhases.Rejected:
                Interlocked.Increment(ref _rejected);
                break;
            case DeploymentPhases.Committed:
                Interlocked.Increment(ref _committed);
                break;
            case DeploymentPhases.RolledBack:
                Interlocked.Increment(ref _rolledBack);
                break;
        }
    }
}
