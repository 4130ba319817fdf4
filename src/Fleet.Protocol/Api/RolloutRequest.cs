namespace Fleet.Protocol.Api;

/// <summary><c>POST /api/v1/rollouts</c>.</summary>
public sealed record RolloutRequest
{
    public required string Stack { get; init; }

    /// <summary>Null: the latest version.</summary>
    public int? Version { get; init; }

    /// <summary>A label selector, e.g. <c>site=berlin,tier!=canary</c>; empty matches every device.</summary>
    public string Target { get; set; } = "";

    /// <summary>Cumulative wave sizes: a count (<c>1</c>) or a percentage of the target (<c>10%</c>); the last is always <c>100%</c>.</summary>
    public IReadOnlyList<string> Waves { get; set; } = ["100%"];

    /// <summary>A count or a percentage of a wave's devices that may fail (or roll back) before the rollout pauses.</summary>
    public string MaxFailures { get; set; } = "0";

    public long WaveTimeoutSeconds { get; set; } = 600;

    /// <summary>Overrides the stack's health window on the devices; null: the agent's default.</summary>
    public long? HealthWindowSeconds { get; init; }

    /// <summary>True: devices update although services hold update locks (signed into each desired state as <c>rollout.overrideLocks</c>).</summary>
    public bool OverrideLocks { get; init; }
}
