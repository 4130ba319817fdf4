using Fleet.Protocol.Selectors;

namespace Fleet.Controller.Rollouts;

/// <summary>
/// The rollout engine's read-only view of the fleet, kept by status ingest. <see cref="Device"/> is
/// called for every device of a running rollout on every evaluation, so it must be a cheap lookup.
/// </summary>
public interface IFleetView
{
    IReadOnlyList<DeviceView> Devices(LabelSelector selector);

    DeviceView? Device(string id);

    /// <summary>Raised with the device's id when its status, presence or labels change, or when it enrolls.</summary>
    event Action<string>? DeviceChanged;
}
