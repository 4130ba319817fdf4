namespace Fleet.Controller.Rollouts;

/// <summary>One wave's progress. <see cref="FailuresAccepted"/>: failures an operator's resume has accepted.</summary>
public sealed record RolloutWave(
    int Number,
    string State,
    DateTimeOffset? StartedAt,
    DateTimeOffset? Deadline,
    int FailuresAccepted);
