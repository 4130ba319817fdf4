namespace Fleet.Controller.Rollouts;

/// <summary>Where a device stands in a rollout, as counted in <see cref="Fleet.Protocol.Api.PhaseCounts"/>.</summary>
public enum DevicePhase
{
    Pending,
    Downloading,
    Applying,
    Verifying,
    Committed,
    Failed,
    RolledBack,
    Offline,
}
