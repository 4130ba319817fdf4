using System.Globalization;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Labels;

namespace Fleet.Agent.Docker.Containers;

/// <summary>
/// Compares what the engine reports for a container with what its service asks for now. Used for
/// containers changed by hand (<c>docker update</c>, a container re-run under the same name) and for
/// containers docker compose created, whose config-hash label is of compose's own making.
/// Only what the file sets is compared: the engine fills in defaults and the image adds its own settings.
/// </summary>
public static class DriftDetector
{
    /// <summary>The first difference found, as a short phrase, or null when the container is what the spec asks for.</summary>
    public static string? Describe(ContainerSpec desired, ContainerInspectResponse actual)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(actual);
        var want = desired.Create;
        var config = actual.Config;
        var host = actual.HostConfig;
        var wantHost = want.HostConfig ?? new HostConfig();
        if (config is null || host is null)
        {
            return "the engine reported no configuration";
        }

        return Differ("image", want.Image, config.Image)
            ?? Missing("environment", want.Env, config.Env)
            ?? (want.Cmd is null ? null : Differ("command", Join(want.Cmd), Join(config.Cmd)))
            ?? (want.Entrypoint is null ? null : Differ("entrypoint", Join(want.Entrypoint), Join(config.Entrypoint)))
            ?? UserLabels(want.Labels, config.Labels)
            ?? (want.User is null ? null : Differ("user", want.User, config.User))
            ?? (want.WorkingDir is null ? null : Differ("working_dir", want.WorkingDir, config.WorkingDir))
            ?? (want.Hostname is null ? null : Differ("hostname", want.Hostname, config.Hostname))
            ?? Differ("healthcheck", Join(want.Healthcheck?.Test), want.Healthcheck?.Test is null ? string.Empty : Join(config.Healthcheck?.Test))
            ?? Differ("restart policy", Restart(wantHost.RestartPolicy), Restart(host.RestartPolicy))
            ?? Differ("memory limit", wantHost.Memory, host.Memory)
            ?? Differ("memory reservation", wantHost.MemoryReservation, host.MemoryReservation)
            ?? Differ("cpus", wantHost.NanoCPUs, host.NanoCPUs)
            ?? Differ("cpu_shares", wantHost.CPUShares, host.CPUShares)
            ?? Differ("pids limit", wantHost.PidsLimit ?? 0, host.PidsLimit ?? 0)
            ?? Differ("privileged", wantHost.Privileged, host.Privileged)
            ?? Differ("read_only", wantHost.ReadonlyRootfs, host.ReadonlyRootfs)
            ?? Differ("init", wantHost.Init ?? false, host.Init ?? false)
            ?? SameSet("cap_add", wantHost.CapAdd, host.CapAdd)
            ?? SameSet("cap_drop", wantHost.CapDrop, host.CapDrop)
            ?? SameSet("extra_hosts", wantHost.ExtraHosts, host.ExtraHosts)
            ?? SameSet("dns", wantHost.DNS, host.DNS)
            ?? SameSet("ports", Ports(wantHost.PortBindings), Ports(host.PortBindings))
            ?? SameSet("devices", wantHost.Devices?.Select(d => $"{d.PathOnHost}:{d.PathInContainer}:{d.CgroupPermissions}").ToList(), host.Devices?.Select(d => $"{d.PathOnHost}:{d.PathInContainer}:{d.CgroupPermissions}").ToList())
            ?? SameSet("sysctls", wantHost.Sysctls?.Select(s => $"{s.Key}={s.Value}").ToList(), host.Sysctls?.Select(s => $"{s.Key}={s.Value}").ToList())
            ?? SameSet("ulimits", wantHost.Ulimits?.Select(u => $"{u.Name}={u.Soft}:{u.Hard}").ToList(), host.Ulimits?.Select(u => $"{u.Name}={u.Soft}:{u.Hard}").ToList())
            ?? SameSet("mounts", Mounts(desired), actual.Mounts?.Where(m => !IsAnonymousVolume(m)).Select(m => $"{m.Destination}<{(m.Type == "volume" ? m.Name : m.Source)}:{(m.RW ? "rw" : "ro")}").ToList())
            ?? Networks(desired, actual);
    }

    internal static string? Differ<T>(string what, T want, T have) =>
        EqualityComparer<T>.Default.Equals(want, have) ? null : $"{what} is {Show(have)}, wants {Show(want)}";

    private static string Show<T>(T value) => value switch
    {
        null => "unset",
        string { Length: 0 } => "unset",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "unset",
    };

    private static string Join(IEnumerable<string>? values) => values is null ? string.Empty : string.Join(' ', values);

    private static string Restart(RestartPolicy? policy) =>
        policy is null || policy.Name is RestartPolicyKind.Undefined or RestartPolicyKind.No
            ? "no"
            : policy.Name == RestartPolicyKind.OnFailure ? $"on-failure:{policy.MaximumRetryCount}" : policy.Name.ToString();

    private static string? Missing(string what, IList<string>? want, IList<string>? have)
    {
        var present = new HashSet<string>(have ?? [], StringComparer.Ordinal);
        var missing = (want ?? []).FirstOrDefault(w => !present.Contains(w));
        return missing is null ? null : $"{what} lacks {missing.Split('=')[0]}";
    }

    private static string? UserLabels(IDictionary<string, string>? want, IDictionary<string, string>? have)
    {
        foreach (var (key, value) in want ?? new Dictionary<string, string>())
        {
            if (ComposeLabels.IsComposeOwned(key))
            {
                continue;
            }

            if (have is null || !have.TryGetValue(key, out var actual) || actual != value)
            {
                return $"label {key} differs";
            }
        }

        return null;
    }

    internal static string? SameSet(string what, IEnumerable<string>? want, IEnumerable<string>? have)
    {
        var wanted = new SortedSet<string>(want ?? [], StringComparer.Ordinal);
        var had = new SortedSet<string>(have ?? [], StringComparer.Ordinal);
        return wanted.SetEquals(had) ? null : $"{what} are [{string.Join(", ", had)}], wants [{string.Join(", ", wanted)}]";
    }

    private static List<string> Ports(IDictionary<string, IList<PortBinding>>? bindings) =>
        bindings?.SelectMany(b => (b.Value ?? []).Select(p => $"{p.HostIP}:{p.HostPort}->{b.Key}")).ToList() ?? [];

    private static bool IsAnonymousVolume(MountPoint mount) =>
        mount.Type == "volume" && mount.Name is { Length: 64 } name && name.All(char.IsAsciiHexDigitLower);

    private static List<string> Mounts(ContainerSpec desired)
    {
        var result = new List<string>();
        foreach (var bind in desired.Create.HostConfig?.Binds ?? [])
        {
            var parts = bind.Split(':');
            var readOnly = parts.Length > 2 && parts[2].Split(',').Contains("ro");
            result.Add($"{parts[1]}<{parts[0]}:{(readOnly ? "ro" : "rw")}");
        }

        foreach (var mount in desired.Create.HostConfig?.Mounts ?? [])
        {
            if (mount.Type == "volume" && string.IsNullOrEmpty(mount.Source))
            {
                continue; // an anonymous volume gets a random name: nothing to compare
            }

            result.Add($"{mount.Target}<{(mount.Type == "tmpfs" ? string.Empty : mount.Source)}:{(mount.ReadOnly == true ? "ro" : "rw")}");
        }

        return result;
    }

    private static string? Networks(ContainerSpec desired, ContainerInspectResponse actual)
    {
        var mode = desired.Create.HostConfig?.NetworkMode;
        if (desired.Create.NetworkingConfig is null)
        {
            return mode is null || actual.HostConfig?.NetworkMode == mode ? null : $"network_mode is {actual.HostConfig?.NetworkMode}, wants {mode}";
        }

        var wanted = desired.Create.NetworkingConfig.EndpointsConfig.Keys.Concat(desired.ExtraNetworks.Keys);
        return SameSet("networks", wanted, actual.NetworkSettings?.Networks?.Keys);
    }
}
