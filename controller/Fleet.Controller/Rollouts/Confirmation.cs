namespace Fleet.Controller.Rollouts;

/// <summary>The pending assignment of the device at <see cref="Index"/> in <see cref="Rollout.Devices"/> is published as <see cref="Version"/>.</summary>
public readonly record struct Confirmation(int Index, long Version);
