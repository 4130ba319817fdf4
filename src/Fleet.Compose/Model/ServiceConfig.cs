using System.Collections.Immutable;
using System.Text.Json;

namespace Fleet.Compose.Model;

/// <summary>
/// One service with every field normalized: short syntax turned into long, durations into
/// <see cref="TimeSpan"/>, sizes into bytes, defaults applied. Names follow the Compose Specification.
/// A list that was not written in the file is empty; a scalar that was not written is null.
/// </summary>
public sealed record ServiceConfig
{
    public required string Name { get; init; }

    /// <summary>Always set: a service without an image is refused by the loader (Fleet never builds).</summary>
    public required string Image { get; init; }

    /// <summary>Null when the file leaves the image's CMD in place.</summary>
    public ImmutableArray<string>? Command { get; init; }

    /// <summary>Null when the file leaves the image's ENTRYPOINT in place.</summary>
    public ImmutableArray<string>? Entrypoint { get; init; }

    /// <summary>Resolved environment, env_file entries included; a null value means "KEY" with no value found (left unset).</summary>
    public ImmutableSortedDictionary<string, string?> Environment { get; init; } = ComposeCollections.EmptyMap<string?>();

    public ImmutableArray<ServicePort> Ports { get; init; } = [];

    public ImmutableArray<string> Expose { get; init; } = [];

    public ImmutableArray<ServiceVolume> Volumes { get; init; } = [];

    public ImmutableArray<string> Tmpfs { get; init; } = [];

    /// <summary>Networks the service joins. Empty only when <see cref="NetworkMode"/> is set; otherwise at least "default".</summary>
    public ImmutableSortedDictionary<string, ServiceNetwork> Networks { get; init; } = ComposeCollections.EmptyMap<ServiceNetwork>();

    public string? NetworkMode { get; init; }

    public ImmutableSortedDictionary<string, ServiceDependency> DependsOn { get; init; } = ComposeCollections.EmptyMap<ServiceDependency>();

    public ServiceHealthcheck? Healthcheck { get; init; }

    /// <summary>"no", "always", "unless-stopped", "on-failure" or "on-failure:N"; null when not written (Docker's default, "no").</summary>
    public string? Restart { get; init; }

    public ServiceDeploy? Deploy { get; init; }

    /// <summary>The effective replica count: <c>deploy.replicas</c>, else <c>scale</c>, else 1 (the loader refuses the two disagreeing).</summary>
    public int Replicas { get; init; } = 1;

    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ComposeCollections.EmptyMap<string>();

    public string? ContainerName { get; init; }

    public string? Hostname { get; init; }

    public string? Domainname { get; init; }

    public string? User { get; init; }

    public string? WorkingDir { get; init; }

    public bool Privileged { get; init; }

    public bool ReadOnly { get; init; }

    public bool? Init { get; init; }

    public bool Tty { get; init; }

    public bool StdinOpen { get; init; }

    public ImmutableArray<string> CapAdd { get; init; } = [];

    public ImmutableArray<string> CapDrop { get; init; } = [];

    public ImmutableArray<string> SecurityOpt { get; init; } = [];

    public ImmutableArray<ServiceDevice> Devices { get; init; } = [];

    public ImmutableArray<string> DeviceCgroupRules { get; init; } = [];

    public ImmutableArray<string> GroupAdd { get; init; } = [];

    public ImmutableSortedDictionary<string, string> Sysctls { get; init; } = ComposeCollections.EmptyMap<string>();

    public ImmutableSortedDictionary<string, ServiceUlimit> Ulimits { get; init; } = ComposeCollections.EmptyMap<ServiceUlimit>();

    public long? MemLimitBytes { get; init; }

    public long? MemswapLimitBytes { get; init; }

    public decimal? Cpus { get; init; }

    public long? CpuShares { get; init; }

    public string? Cpuset { get; init; }

    public long? PidsLimit { get; init; }

    public long? ShmSizeBytes { get; init; }

    public string? StopSignal { get; init; }

    public TimeSpan? StopGracePeriod { get; init; }

    /// <summary>Each entry "host:ip" (the Docker API's form), whatever form the file used.</summary>
    public ImmutableArray<string> ExtraHosts { get; init; } = [];

    public ImmutableArray<string> Dns { get; init; } = [];

    public ImmutableArray<string> DnsSearch { get; init; } = [];

    public ServiceLogging? Logging { get; init; }

    public ImmutableArray<string> Profiles { get; init; } = [];

    public string? PullPolicy { get; init; }

    public string? Platform { get; init; }

    public ImmutableArray<ServiceFileReference> Configs { get; init; } = [];

    public ImmutableArray<ServiceFileReference> Secrets { get; init; } = [];

    public ImmutableSortedDictionary<string, JsonElement> Extensions { get; init; } = ComposeCollections.EmptyMap<JsonElement>();

    /// <summary>
    /// Hex SHA-256 of the service's canonical form without the fields that do not require
    /// recreating its containers (see <see cref="CanonicalJson"/>); goes into the
    /// <c>com.docker.compose.config-hash</c> label. Set by the loader.
    /// </summary>
    public string ConfigHash { get; init; } = "";
}
