namespace Fleet.Controller.Broker;

/// <summary>Who a broker connection authenticated as: the controller itself, or one device.</summary>
public sealed record BrokerIdentity(bool IsController, string? DeviceId)
{
    public static BrokerIdentity Controller { get; } = new(true, null);

    public static BrokerIdentity Device(string deviceId) => new(false, deviceId);

    public override string ToString() => IsController ? "controller" : $"device {DeviceId}";
}
