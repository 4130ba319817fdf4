// Docker.DotNet's models annotate optional fields as non-null; here null means "leave it to the
// engine's default", which is what docker compose sends for a field the file does not set.
#nullable disable warnings
using System.Collections.Immutable;
using System.Globalization;
using Docker.DotNet.Models;
using Fleet.Agent.Docker.Labels;
using Fleet.Compose.Model;
using Fleet.Reconcile.Naming;
using ServiceConfig = Fleet.Compose.Model.ServiceConfig;

namespace Fleet.Agent.Docker.Containers;

/// <summary>
/// Turns a compose service into the engine settings docker compose gives it, field by field, so a
/// container Fleet creates inspects like one <c>docker compose up</c> creates.
/// </summary>
public static class ContainerSpecBuilder
{
    public static ContainerSpec Build(ComposeProject project, ServiceConfig service, int number, ProjectContext context)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(context);
        var name = ComposeNaming.Container(project.Name, service, number);
        var (networkMode, primary, extra) = Networks(project, service, name);
        var files = InjectedFiles(project, service);
        var labels = Labels(project, service, number, context);
        if (!files.IsEmpty)
        {
            // The content is not in the service's config hash (it lives at the top level, or in a variable):
            // a label of its hash makes a change to it recreate the container, through the drift detector.
            labels[ComposeLabels.FilesHash] = FilesHash(files);
        }

        var create = new CreateContainerParameters
        {
            Name = name,
            Image = service.Image,
            Platform = service.Platform,
            Hostname = service.Hostname,
            Domainname = service.Domainname,
            User = service.User,
            WorkingDir = service.WorkingDir,
            Tty = service.Tty,
            OpenStdin = service.StdinOpen,
            Cmd = service.Command is { } command ? [.. command] : null,
            Entrypoint = service.Entrypoint is { } entrypoint ? [.. entrypoint] : null,
            Env = [.. service.Environment.Where(e => e.Value is not null).Select(e => $"{e.Key}={e.Value}")],
            Labels = labels,
            ExposedPorts = ExposedPorts(service),
            Healthcheck = Healthcheck(service.Healthcheck),
            StopSignal = service.StopSignal,
            StopTimeout = service.StopGracePeriod,
            HostConfig = HostConfig(project, service, networkMode),
            NetworkingConfig = primary is null ? null : new NetworkingConfig { EndpointsConfig = new Dictionary<string, EndpointSettings> { [primary.Value.Key] = primary.Value.Value } },
        };
        return new ContainerSpec(create, extra) { Files = files };
    }

    /// <summary>The service's configs and secrets that come from <c>content:</c> or <c>environment:</c>, to copy in before start.</summary>
    private static ImmutableArray<InjectedFile> InjectedFiles(ComposeProject project, ServiceConfig service)
    {
        var files = ImmutableArray.CreateBuilder<InjectedFile>();
        foreach (var secret in service.Secrets)
        {
            if (project.Secrets.TryGetValue(secret.Source, out var declared) && Inline(declared))
            {
                files.Add(Injected("secret", secret, SecretTarget(secret), declared));
            }
        }

        foreach (var config in service.Configs)
        {
            if (project.Configs.TryGetValue(config.Source, out var declared) && Inline(declared))
            {
                files.Add(Injected("config", config, ConfigTarget(config), declared));
            }
        }

        return files.ToImmutable();

        static bool Inline(FileObjectConfig declared) => !declared.External && declared.File is null && (declared.Content is not null || declared.Environment is not null);

        static InjectedFile Injected(string kind, ServiceFileReference reference, string target, FileObjectConfig declared) => new(
            kind,
            reference.Source,
            target,
            declared.Content ?? declared.EnvironmentValue,
            declared.Environment,
            reference.Mode ?? Convert.ToInt32("444", 8),
            int.TryParse(reference.Uid, CultureInfo.InvariantCulture, out var uid) ? uid : 0,
            int.TryParse(reference.Gid, CultureInfo.InvariantCulture, out var gid) ? gid : 0);
    }

    private static string FilesHash(ImmutableArray<InjectedFile> files)
    {
        var text = string.Join('\n', files.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Target}:{f.Mode}:{f.Uid}:{f.Gid}:{(f.Content is null ? "-" : Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(f.Content)))}")));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    private static string SecretTarget(ServiceFileReference secret) =>
        secret.Target.StartsWith('/') ? secret.Target : $"/run/secrets/{(secret.Target.Length > 0 ? secret.Target : secret.Source)}";

    private static string ConfigTarget(ServiceFileReference config) =>
        config.Target.Length > 0 ? (config.Target.StartsWith('/') ? config.Target : $"/{config.Target}") : $"/{config.Source}";

    /// <summary>The engine names of the networks the container joins, the first one (highest priority, then name) given at create.</summary>
    private static (string? Mode, KeyValuePair<string, EndpointSettings>? Primary, ImmutableDictionary<string, EndpointSettings> Extra) Networks(
        ComposeProject project, ServiceConfig service, string containerName)
    {
        if (service.NetworkMode is { Length: > 0 } mode)
        {
            var resolved = mode.StartsWith("service:", StringComparison.Ordinal) && project.Services.TryGetValue(mode["service:".Length..], out var other)
                ? $"container:{ComposeNaming.Container(project.Name, other, 1)}"
                : mode;
            return (resolved, null, ImmutableDictionary<string, EndpointSettings>.Empty);
        }

        var ordered = service.Networks
            .OrderByDescending(n => n.Value.Priority)
            .ThenBy(n => n.Key, StringComparer.Ordinal)
            .Select(n => KeyValuePair.Create(ComposeNaming.Network(project, n.Key), Endpoint(service, n.Value, containerName)))
            .ToList();
        if (ordered.Count == 0)
        {
            return (null, null, ImmutableDictionary<string, EndpointSettings>.Empty);
        }

        return (ordered[0].Key, ordered[0], ordered.Skip(1).ToImmutableDictionary(StringComparer.Ordinal));
    }

    private static EndpointSettings Endpoint(ServiceConfig service, ServiceNetwork network, string containerName) => new()
    {
        // As compose v2: the container's own name, the service name, then the aliases written in the file.
        Aliases = [containerName, service.Name, .. network.Aliases],
        IPAMConfig = network.Ipv4Address is null && network.Ipv6Address is null
            ? null
            : new EndpointIPAMConfig { IPv4Address = network.Ipv4Address, IPv6Address = network.Ipv6Address },
        MacAddress = network.MacAddress,
    };

    private static Dictionary<string, string> Labels(ComposeProject project, ServiceConfig service, int number, ProjectContext context)
    {
        var labels = new Dictionary<string, string>(service.Labels, StringComparer.Ordinal)
        {
            [ComposeLabels.Project] = project.Name,
            [ComposeLabels.Service] = service.Name,
            [ComposeLabels.ContainerNumber] = number.ToString(CultureInfo.InvariantCulture),
            [ComposeLabels.OneOff] = "False",
            [ComposeLabels.ConfigHash] = service.ConfigHash,
            [ComposeLabels.Managed] = "true",
        };
        if (context.WorkingDirectory.Length > 0)
        {
            labels[ComposeLabels.WorkingDir] = context.WorkingDirectory;
        }

        if (!context.ConfigFiles.IsDefaultOrEmpty)
        {
            labels[ComposeLabels.ConfigFiles] = string.Join(',', context.ConfigFiles);
        }

        return labels;
    }

    private static Dictionary<string, EmptyStruct>? ExposedPorts(ServiceConfig service)
    {
        var ports = new Dictionary<string, EmptyStruct>(StringComparer.Ordinal);
        foreach (var port in service.Ports)
        {
            ports[$"{port.Target}/{port.Protocol}"] = default;
        }

        foreach (var expose in service.Expose)
        {
            var slash = expose.IndexOf('/', StringComparison.Ordinal);
            var range = slash < 0 ? expose : expose[..slash];
            var protocol = slash < 0 ? "tcp" : expose[(slash + 1)..];
            var dash = range.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && int.TryParse(range[..dash], CultureInfo.InvariantCulture, out var first) && int.TryParse(range[(dash + 1)..], CultureInfo.InvariantCulture, out var last))
            {
                for (var p = first; p <= last; p++)
                {
                    ports[$"{p}/{protocol}"] = default;
                }
            }
            else
            {
                ports[$"{range}/{protocol}"] = default;
            }
        }

        return ports.Count == 0 ? null : ports;
    }

    private static HealthcheckConfig? Healthcheck(ServiceHealthcheck? healthcheck)
    {
        if (healthcheck is null)
        {
            return null;
        }

        if (healthcheck.Disable)
        {
            return new HealthcheckConfig { Test = ["NONE"] };
        }

        return new HealthcheckConfig
        {
            Test = healthcheck.Test.IsDefaultOrEmpty ? null : [.. healthcheck.Test],
            Interval = healthcheck.Interval,
            Timeout = healthcheck.Timeout,
            Retries = healthcheck.Retries,
            StartPeriod = healthcheck.StartPeriod,
            StartInterval = healthcheck.StartInterval,
        };
    }

    private static HostConfig HostConfig(ComposeProject project, ServiceConfig service, string? networkMode)
    {
        var limits = service.Deploy?.Resources?.Limits;
        var reservations = service.Deploy?.Resources?.Reservations;
        var (binds, mounts) = Mounts(project, service);
        return new HostConfig
        {
            NetworkMode = networkMode,
            PortBindings = PortBindings(service),
            RestartPolicy = RestartPolicy(service),
            Binds = binds.Count == 0 ? null : binds,
            Mounts = mounts.Count == 0 ? null : mounts,
            Tmpfs = service.Tmpfs.IsDefaultOrEmpty ? null : service.Tmpfs.ToDictionary(TmpfsPath, TmpfsOptions, StringComparer.Ordinal),
            Memory = service.MemLimitBytes ?? limits?.MemoryBytes ?? 0,
            MemoryReservation = reservations?.MemoryBytes ?? 0,
            MemorySwap = service.MemswapLimitBytes ?? 0,
            NanoCPUs = (service.Cpus is { } cpus ? (long?)(long)(cpus * 1_000_000_000m) : null) ?? limits?.NanoCpus ?? 0,
            CPUShares = service.CpuShares ?? 0,
            CpusetCpus = service.Cpuset,
            PidsLimit = service.PidsLimit ?? limits?.Pids,
            ShmSize = service.ShmSizeBytes ?? 0,
            Privileged = service.Privileged,
            ReadonlyRootfs = service.ReadOnly,
            Init = service.Init,
            CapAdd = NullIfEmpty(service.CapAdd),
            CapDrop = NullIfEmpty(service.CapDrop),
            SecurityOpt = NullIfEmpty(service.SecurityOpt),
            GroupAdd = NullIfEmpty(service.GroupAdd),
            DeviceCgroupRules = NullIfEmpty(service.DeviceCgroupRules),
            Devices = service.Devices.IsDefaultOrEmpty
                ? null
                : [.. service.Devices.Select(d => new DeviceMapping { PathOnHost = d.Source, PathInContainer = d.Target, CgroupPermissions = d.Permissions })],
            Sysctls = service.Sysctls.IsEmpty ? null : new Dictionary<string, string>(service.Sysctls, StringComparer.Ordinal),
            Ulimits = service.Ulimits.IsEmpty
                ? null
                : [.. service.Ulimits.Select(u => new Ulimit { Name = u.Key, Soft = u.Value.Soft, Hard = u.Value.Hard })],
            LogConfig = service.Logging is { } logging
                ? new LogConfig { Type = logging.Driver ?? string.Empty, Config = new Dictionary<string, string>(logging.Options, StringComparer.Ordinal) }
                : null,
            ExtraHosts = NullIfEmpty(service.ExtraHosts),
            DNS = NullIfEmpty(service.Dns),
            DNSSearch = NullIfEmpty(service.DnsSearch),
        };
    }

    private static List<string>? NullIfEmpty(ImmutableArray<string> values) => values.IsDefaultOrEmpty ? null : [.. values];

    private static string TmpfsPath(string entry) => entry.Split(':', 2)[0];

    private static string TmpfsOptions(string entry) => entry.Split(':', 2) is [_, var options] ? options : string.Empty;

    /// <summary>Always a map, empty without ports: docker compose sends it so, and the inspected containers agree.</summary>
    private static Dictionary<string, IList<PortBinding>> PortBindings(ServiceConfig service)
    {
        var bindings = new Dictionary<string, IList<PortBinding>>(StringComparer.Ordinal);
        foreach (var port in service.Ports)
        {
            var key = $"{port.Target}/{port.Protocol}";
            if (!bindings.TryGetValue(key, out var list))
            {
                bindings[key] = list = [];
            }

            list.Add(new PortBinding { HostIP = port.HostIp ?? string.Empty, HostPort = port.Published ?? string.Empty });
        }

        return bindings;
    }

    /// <summary><c>restart</c> wins; otherwise <c>deploy.restart_policy</c>, mapped as compose v2 maps it.</summary>
    public static RestartPolicy? RestartPolicy(ServiceConfig service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var restart = service.Restart;
        long retries = 0;
        if (restart is null && service.Deploy?.RestartPolicy is { } policy)
        {
            restart = policy.Condition switch
            {
                "none" => "no",
                "on-failure" => "on-failure",
                _ => "always",
            };
            retries = policy.MaxAttempts ?? 0;
        }

        if (restart is null)
        {
            return null; // unset, as docker compose leaves it: the engine's default, "no"
        }

        var colon = restart.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0)
        {
            retries = long.Parse(restart[(colon + 1)..], CultureInfo.InvariantCulture);
            restart = restart[..colon];
        }

        return restart switch
        {
            "always" => new RestartPolicy { Name = RestartPolicyKind.Always },
            "unless-stopped" => new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
            "on-failure" => new RestartPolicy { Name = RestartPolicyKind.OnFailure, MaximumRetryCount = retries },
            _ => new RestartPolicy { Name = RestartPolicyKind.No },
        };
    }

    private static (List<string> Binds, List<Mount> Mounts) Mounts(ComposeProject project, ServiceConfig service)
    {
        var binds = new List<string>();
        var mounts = new List<Mount>();
        foreach (var volume in service.Volumes)
        {
            switch (volume.Type)
            {
                case "bind" when volume.Bind?.CreateHostPath != false:
                    // A bind through Binds makes the engine create a missing host path, as compose does by default.
                    var options = new List<string> { volume.ReadOnly ? "ro" : "rw" };
                    if (volume.Bind?.Propagation is { Length: > 0 } propagation)
                    {
                        options.Add(propagation);
                    }

                    if (volume.Bind?.SELinux is { Length: > 0 } selinux)
                    {
                        options.Add(selinux);
                    }

                    binds.Add($"{volume.Source}:{volume.Target}:{string.Join(',', options)}");
                    break;
                case "bind":
                    mounts.Add(new Mount
                    {
                        Type = "bind",
                        Source = volume.Source,
                        Target = volume.Target,
                        ReadOnly = volume.ReadOnly,
                        BindOptions = volume.Bind?.Propagation is { Length: > 0 } p ? new BindOptions { Propagation = p } : null,
                    });
                    break;
                case "volume" when volume.Source is { Length: > 0 } && volume.Volume is not { NoCopy: true } && volume.Volume?.Subpath is null:
                    // A plain named volume goes through Binds, as docker-compose does: the inspected mounts then agree.
                    binds.Add($"{(project.Volumes.ContainsKey(volume.Source) ? ComposeNaming.Volume(project, volume.Source) : volume.Source)}:{volume.Target}:{(volume.ReadOnly ? "ro" : "rw")}");
                    break;
                case "volume":
                    mounts.Add(new Mount
                    {
                        Type = "volume",
                        Source = volume.Source is { Length: > 0 } source
                            ? (project.Volumes.ContainsKey(source) ? ComposeNaming.Volume(project, source) : source)
                            : null,
                        Target = volume.Target,
                        ReadOnly = volume.ReadOnly,
                        VolumeOptions = volume.Volume is { } v && (v.NoCopy || v.Subpath is not null)
                            ? new VolumeOptions { NoCopy = v.NoCopy ? true : null, Subpath = v.Subpath }
                            : null,
                    });
                    break;
                case "tmpfs":
                    mounts.Add(new Mount
                    {
                        Type = "tmpfs",
                        Target = volume.Target,
                        ReadOnly = volume.ReadOnly,
                        TmpfsOptions = volume.Tmpfs is { } t && (t.SizeBytes is not null || t.Mode is not null)
                            ? new TmpfsOptions { SizeBytes = t.SizeBytes, Mode = t.Mode is { } mode ? (uint)mode : null }
                            : null,
                    });
                    break;
                default:
                    // npipe and cluster mounts have no meaning on a Linux device; the loader warns about them.
                    break;
            }
        }

        // File-based configs and secrets are bind-mounted read-only, as docker compose does without swarm.
        foreach (var secret in service.Secrets)
        {
            if (project.Secrets.TryGetValue(secret.Source, out var declared) && declared.File is { Length: > 0 } file)
            {
                binds.Add($"{file}:{SecretTarget(secret)}:ro");
            }
        }

        foreach (var config in service.Configs)
        {
            if (project.Configs.TryGetValue(config.Source, out var declared) && declared.File is { Length: > 0 } file)
            {
                binds.Add($"{file}:{ConfigTarget(config)}:ro");
            }
        }

        return (binds, mounts);
    }
}
