namespace Fleet.Compose.Model;

public sealed record DeployUpdateConfig
{
    public int? Parallelism { get; init; }

    public TimeSpan? Delay { get; init; }

    public string? FailureAction { get; init; }

    public TimeSpan? Monitor { get; init; }

    public decimal? MaxFailureRatio { get; init; }

    /// <summary>"stop-first" (the default) or "start-first".</summary>
    public string? Order { get; init; }
}
