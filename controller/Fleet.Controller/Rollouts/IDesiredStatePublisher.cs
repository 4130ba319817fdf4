using Fleet.Protocol.Messages;

namespace Fleet.Controller.Rollouts;

/// <summary>Signs and publishes devices' desired states (retained): the only way the rollout engine reaches a device.</summary>
public interface IDesiredStatePublisher
{
    /// <summary>
    /// The device should run <paramref name="stack"/> at <paramref name="stackVersion"/> (null removes it):
    /// signs the device's full desired state with the next fleet-wide version, publishes it retained and
    /// answers that desired-state version.
    /// </summary>
    Task<long> AssignAsync(
        string deviceId,
        string stack,
        int? stackVersion,
        RolloutRef? rollout,
        TimeSpan? healthWindow,
        CancellationToken cancellationToken);

    /// <summary>The stack version the device's desired state holds for <paramref name="stack"/>, or null if none.</summary>
    int? AssignedVersion(string deviceId, string stack);
}
