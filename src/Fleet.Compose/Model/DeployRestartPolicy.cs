namespace Fleet.Compose.Model;

public sealed record DeployRestartPolicy
{
    /// <summary>"none", "on-failure" or "any".</summary>
    public string? Condition { get; init; }

    public TimeSpan? Delay { get; init; }

    public int? MaxAttempts { get; init; }

    public TimeSpan? Window { get; init; }
}
