namespace Fleet.Protocol.Policy;

/// <summary>Who a device is, for deciding whether a desired state (by id or selector) is meant for it.</summary>
public sealed record DeviceIdentity(string DeviceId, IReadOnlyDictionary<string, string> Labels)
{
    public DeviceIdentity(string deviceId)
        : this(deviceId, new Dictionary<string, string>())
    {
    }
}
