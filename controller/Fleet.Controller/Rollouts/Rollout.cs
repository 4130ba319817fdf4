namespace Fleet.Controller.Rollouts;

/// <summary>
/// A rollout's whole state, as stored: what it deploys, where, its waves and every device it targets.
/// <see cref="RolloutMachine"/> turns one into the next; nothing here does I/O.
/// </summary>
public sealed record Rollout
{
    public required string Id { get; init; }

    /// <summary>Creation order, to tell the newest rollout of a stack and to number the next one.</summary>
    public required long Sequence { get; init; }

    public required string Stack { get; init; }

    public required int Version { get; init; }

    public required string Digest { get; init; }

    /// <summary>The selector in its canonical text.</summary>
    public required string Target { get; init; }

    public required IReadOnlyList<string> WavePlan { get; init; }

    public required string MaxFailures { get; init; }

    public required TimeSpan WaveTimeout { get; init; }

    public TimeSpan? HealthWindow { get; init; }

    /// <summary>Its desired states tell devices to update although services hold update locks.</summary>
    public bool OverrideLocks { get; init; }

    /// <summary>See <see cref="Fleet.Protocol.Api.RolloutStates"/>.</summary>
    public required string State { get; init; }

    public string? Reason { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public required IReadOnlyList<RolloutWave> Waves { get; init; }

    /// <summary>In the order they were targeted; late joiners are appended to the last wave. Never shrinks.</summary>
    public required IReadOnlyList<RolloutDevice> Devices { get; init; }
}
