namespace Fleet.Compose.Model;

/// <summary>A port in long syntax. A short-syntax target range becomes one entry per target port.</summary>
public sealed record ServicePort
{
    public required int Target { get; init; }

    /// <summary>A host port ("8080") or host range ("8000-8010"); null lets Docker choose.</summary>
    public string? Published { get; init; }

    public string? HostIp { get; init; }

    /// <summary>"tcp", "udp" or "sctp".</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary>"ingress" (the specification's default) or "host".</summary>
    public string Mode { get; init; } = "ingress";

    public string? Name { get; init; }

    public string? AppProtocol { get; init; }
}
