namespace Fleet.Sim.Simulation;

/// <summary>How the simulated devices behave. Validated by <see cref="Validate"/> before anything starts.</summary>
public sealed record SimOptions
{
    /// <summary>Mean wait before each of downloading, applying, verifying and the final phase.</summary>
    public TimeSpan PhaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Each wait is <see cref="PhaseDelay"/> ± this fraction of it, uniformly, so devices do not move in lockstep.</summary>
    public double Jitter { get; init; } = 0.5;

    /// <summary>As the agent's <c>ReportIntervalMilliseconds</c> (and its default): the least time between two reports of a device (<see cref="Fleet.Protocol.Messages.ReportPacing"/>).</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Fraction of devices (0..1) whose updates fail their health window and roll back.</summary>
    public double FailRate { get; init; }

    /// <summary>New MQTT connections per second, for the whole fleet (reconnects included).</summary>
    public int ConnectRate { get; init; } = 1000;

    /// <summary>Connections being set up at once.</summary>
    public int ConnectConcurrency { get; init; } = 64;

    /// <summary>
    /// Work items running at once across the fleet; 0 (the default): no bound. Each device reports one report at a
    /// time anyway, as an agent does; a fleet-wide bound, which no real fleet has, would hold every device's walk
    /// up behind other devices' reports once the broker acknowledges slowly (docs/benchmarks.md, 2026-11-29 09:00).
    /// </summary>
    public int PublishConcurrency { get; init; }

    /// <summary>As the agent's period: each device pings the broker this often (announcing keep-alive 0, see SimDevice.PingAsync).</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>As the agent's: the broker keeps the session and QoS 1 messages this long while a device is away.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromDays(7);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Seeds the choice of failing devices and the jitter, so a run can be repeated.</summary>
    public int Seed { get; init; } = 1;

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (PhaseDelay < TimeSpan.Zero)
        {
            problems.Add("--phase-delay must not be negative");
        }

        if (ReportInterval < TimeSpan.Zero || ReportInterval > TimeSpan.FromSeconds(10))
        {
            problems.Add("--report-interval must be between 0 and 10s (as the agent's ReportIntervalMilliseconds)");
        }

        if (Jitter is < 0 or > 1)
        {
            problems.Add("--jitter must be between 0 and 1");
        }

        if (FailRate is < 0 or > 1)
        {
            problems.Add("--fail-rate must be between 0 and 1");
        }

        if (ConnectRate <= 0 || ConnectConcurrency <= 0)
        {
            problems.Add("--connect-rate and --connect-concurrency must be positive");
        }

        if (PublishConcurrency < 0)
        {
            problems.Add("--publish-concurrency must not be negative (0: no fleet-wide bound)");
        }

        if (KeepAlive <= TimeSpan.Zero || SessionExpiry <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            problems.Add("keep-alive, session expiry and connect timeout must be positive");
        }

        return problems;
    }
}
