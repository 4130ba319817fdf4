namespace Fleet.Protocol.Enrollment;

/// <summary>Where and as whom a device connects; the client id is always the device id.</summary>
public sealed record BrokerCredentials
{
    /// <summary><c>mqtt://host:1883</c> or <c>mqtts://host:8883</c>.</summary>
    public required Uri Uri { get; init; }

    public required string Username { get; init; }

    public required string Password { get; init; }

    /// <summary>PEM of the CA that signed the broker's certificate, for <c>mqtts://</c> with a private CA.</summary>
    public string? CaCertificatePem { get; init; }
}
