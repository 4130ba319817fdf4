namespace Fleet.Protocol.Api;

/// <summary>A rollout and its progress, as <c>GET /api/v1/rollouts/{id}</c> answers it (and each action on it).</summary>
public sealed record RolloutInfo
{
    public required string Id { get; init; }

    public required string Stack { get; init; }

    public required int Version { get; init; }

    public required string Digest { get; init; }

    public required string Target { get; init; }

    /// <summary>See <see cref="RolloutStates"/>.</summary>
    public required string State { get; init; }

    /// <summary>Why it paused or ended, e.g. <c>wave 2: 3 of 10 devices failed (max 1)</c>.</summary>
    public string? Reason { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public IReadOnlyList<string> WavePlan { get; init; } = [];

    public required string MaxFailures { get; init; }

    public required long WaveTimeoutSeconds { get; init; }

    /// <summary>Whether its desired states tell devices to update despite services' update locks.</summary>
    public bool OverrideLocks { get; init; }

    public IReadOnlyList<WaveInfo> Waves { get; init; } = [];
}
