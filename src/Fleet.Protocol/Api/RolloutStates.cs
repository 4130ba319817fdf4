namespace Fleet.Protocol.Api;

/// <summary>
/// A rollout's state: running → completed, or paused (by an operator or by the failure threshold) →
/// running again, or aborted (no further waves; devices keep what they got), or rolled-back (every device
/// it reached sent back to the version it ran before).
/// </summary>
public static class RolloutStates
{
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Completed = "completed";
    public const string Aborted = "aborted";
    public const string RolledBack = "rolled-back";

    public static bool IsFinal(string? state) => state is Completed or Aborted or RolledBack;
}
