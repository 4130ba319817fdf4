namespace Fleet.Compose.Model;

public sealed record ServiceVolumeBind
{
    public string? Propagation { get; init; }

    /// <summary>True unless the file says otherwise: short syntax always creates the host path.</summary>
    public bool CreateHostPath { get; init; } = true;

    /// <summary>"z" or "Z" when the file asks for SELinux relabelling.</summary>
    public string? SELinux { get; init; }
}
