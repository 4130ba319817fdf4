namespace Fleet.Protocol.Api;

/// <summary>One wave of a rollout: pending (not started), running, completed, or failed (threshold crossed).</summary>
public sealed record WaveInfo
{
    /// <summary>Counted from 1, as in <c>RolloutRef.Wave</c>.</summary>
    public required int Number { get; init; }

    public required string State { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public required PhaseCounts Counts { get; init; }

    /// <summary>The wave's device ids; empty when asked for without them (<c>?devices=false</c>), <see cref="Counts"/> still complete.</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];
}
