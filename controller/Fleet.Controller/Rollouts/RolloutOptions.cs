namespace Fleet.Controller.Rollouts;

/// <summary>How often the rollout engine looks at running rollouts and how hard it publishes.</summary>
public sealed class RolloutOptions
{
    /// <summary>Every rollout is evaluated at least this often, and devices that newly match a target are looked for.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>After a device changes, how long to gather further changes before evaluating: a burst of statuses costs one evaluation.</summary>
    public TimeSpan ChangeDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How many assignments are published at once.</summary>
    public int PublishConcurrency { get; set; } = 256;

    /// <summary>Null when the options are usable; otherwise one line naming the setting.</summary>
    public string? Validate() =>
        EvaluationInterval <= TimeSpan.Zero ? $"Rollouts:EvaluationInterval must be positive, not {EvaluationInterval}"
        : ChangeDelay < TimeSpan.Zero ? $"Rollouts:ChangeDelay must not be negative, not {ChangeDelay}"
        : PublishConcurrency is < 1 or > 256 ? $"Rollouts:PublishConcurrency must be between 1 and 256, not {PublishConcurrency}"
        : null;
}
