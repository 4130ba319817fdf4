namespace Fleet.Controller.Mqtt;

/// <summary>Where and as whom the controller's own MQTT client connects.</summary>
public sealed record MqttLinkOptions
{
    public required string Host { get; init; }

    public required int Port { get; init; }

    public required string ClientId { get; init; }

    public required string Username { get; init; }

    public string? Password { get; init; }

    public bool UseTls { get; init; }

    /// <summary>This controller instance's level in reply topics.</summary>
    public required string InstanceId { get; init; }
}
