namespace Fleet.Compose.Model;

public sealed record ServiceDependency
{
    /// <summary>"service_started", "service_healthy" or "service_completed_successfully".</summary>
    public string Condition { get; init; } = "service_started";

    /// <summary>False lets the dependency be missing (e.g. out of the active profiles).</summary>
    public bool Required { get; init; } = true;

    /// <summary>Restart this service when the dependency is updated.</summary>
    public bool Restart { get; init; }
}
