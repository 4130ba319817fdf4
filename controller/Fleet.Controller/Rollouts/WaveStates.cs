namespace Fleet.Controller.Rollouts;

/// <summary>A wave's state in <see cref="Fleet.Protocol.Api.WaveInfo.State"/>.</summary>
public static class WaveStates
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Completed = "completed";

    /// <summary>Its failures crossed the rollout's threshold, which paused the rollout.</summary>
    public const string Failed = "failed";
}
