namespace Fleet.Controller.Rollouts;

/// <summary>An operator's action on a rollout: the rollout after it, or why its state does not allow it.</summary>
public sealed record RolloutChange(Rollout? Rollout, string? Conflict)
{
    public static RolloutChange Done(Rollout rollout) => new(rollout, null);

    public static RolloutChange Refused(string conflict) => new(null, conflict);
}
