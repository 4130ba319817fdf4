namespace Fleet.Compose.Model;

/// <summary>A device mapping such as a serial port; short form "/dev/ttyUSB0:/dev/ttyUSB0:rwm".</summary>
public sealed record ServiceDevice
{
    public required string Source { get; init; }

    /// <summary>Defaults to <see cref="Source"/>.</summary>
    public required string Target { get; init; }

    /// <summary>cgroup permissions, "rwm" by default.</summary>
    public string Permissions { get; init; } = "rwm";
}
