namespace Fleet.Controller.Rollouts;

/// <summary>
/// What <see cref="RolloutMachine"/> reads of the world: the time, each device as last seen, the stack
/// version each device's desired state holds for a stack (device, stack), and a desired-state version no
/// later than the next the publisher will answer.
/// </summary>
public sealed record RolloutInputs(
    DateTimeOffset Now,
    Func<string, DeviceView?> Device,
    Func<string, string, int?> AssignedVersion,
    long VersionFloor);
