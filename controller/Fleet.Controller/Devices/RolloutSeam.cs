// moves to Rollouts/ at merge
// TEMPORARY copies of the rollout engineer's three declarations (IFleetView, DeviceView,
// IDesiredStatePublisher), so the controller compiles before their files land; the lead deletes this file.
#pragma warning disable SA1402, SA1649, CA1003
namespace Fleet.Controller.Rollouts;

public interface IFleetView
{
    IReadOnlyList<DeviceView> Devices(Fleet.Protocol.Selectors.LabelSelector selector);

    DeviceView? Device(string id);

    event Action<string>? DeviceChanged;
}

public sealed record DeviceView(string Id, IReadOnlyDictionary<string, string> Labels, bool Online, DateTimeOffset EnrolledAt, DateTimeOffset? LastSeen, string? Phase, long? DesiredVersion, long? AppliedVersion, Fleet.Protocol.Messages.ErrorDetail? LastError);

public interface IDesiredStatePublisher
{
    Task<long> AssignAsync(string deviceId, string stack, int? stackVersion, Fleet.Protocol.Messages.RolloutRef? rollout, TimeSpan? healthWindow, CancellationToken cancellationToken);

    int? AssignedVersion(string deviceId, string stack);
}
