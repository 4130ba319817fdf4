using Fleet.Protocol.Messages;

namespace Fleet.Controller.Rollouts;

/// <summary>What the controller last knew of a device: its labels, presence and the versions of its last status.</summary>
public sealed record DeviceView(
    string Id,
    IReadOnlyDictionary<string, string> Labels,
    bool Online,
    DateTimeOffset EnrolledAt,
    DateTimeOffset? LastSeen,
    string? Phase,
    long? DesiredVersion,
    long? AppliedVersion,
    ErrorDetail? LastError);
