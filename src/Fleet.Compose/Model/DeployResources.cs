namespace Fleet.Compose.Model;

public sealed record DeployResources
{
    public ResourceLimits? Limits { get; init; }

    public ResourceLimits? Reservations { get; init; }
}
