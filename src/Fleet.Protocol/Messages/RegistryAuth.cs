namespace Fleet.Protocol.Messages;

/// <summary>
/// Credentials for pulling from one registry. Desired states are signed, not encrypted:
/// these are only as secret as the device's own desired topic (the broker ACL guards it).
/// </summary>
public sealed record RegistryAuth
{
    /// <summary>Registry host as in image references, e.g. <c>registry.example.com:5000</c>.</summary>
    public required string Server { get; init; }

    public required string Username { get; init; }

    public required string Password { get; init; }
}
