using System.Buffers;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Fleet.Compose.Model;
using Fleet.Compose.Units;

namespace Fleet.Compose;

/// <summary>
/// The canonical form of a stack: JSON in the shape and key names of <c>docker compose config --format json</c>,
/// every object's keys in ordinal order, empty and unset fields left out, durations in Go's notation and sizes
/// in bytes. Written by hand with <see cref="Utf8JsonWriter"/> so it is AOT-safe and its key order cannot drift.
/// </summary>
public static class CanonicalJson
{
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Indented = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    public static byte[] Serialize(ComposeProject project, bool indented = false)
    {
        ArgumentNullException.ThrowIfNull(project);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, indented ? Indented : Compact))
        {
            WriteProject(writer, project);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>"sha256:" + hex of the compact canonical JSON.</summary>
    public static string Digest(ComposeProject project) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Serialize(project)));

    /// <summary>
    /// Hex SHA-256 of the service's canonical form without what does not need its containers recreated:
    /// the replica count (scale/deploy.replicas), deploy.update_config (how to roll, not what runs),
    /// depends_on (start order), profiles (selection), pull_policy (when to pull, not what runs) and x-* keys.
    /// The same exclusions as docker compose's ServiceHash, plus update_config and extensions.
    /// </summary>
    public static string ConfigHash(ServiceConfig service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            WriteService(writer, service, forHash: true);
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteProject(Utf8JsonWriter w, ComposeProject project)
    {
        w.WriteStartObject();
        Objects(w, "configs", project.Configs, WriteFileObject);
        w.WriteString("name", project.Name);
        Objects(w, "networks", project.Networks, WriteNetwork);
        Objects(w, "secrets", project.Secrets, WriteFileObject);
        w.WritePropertyName("services");
        w.WriteStartObject();
        foreach (var (name, service) in project.Services)
        {
            w.WritePropertyName(name);
            WriteService(w, service, forHash: false);
        }

        w.WriteEndObject();
        Objects(w, "volumes", project.Volumes, WriteVolume);
        Extensions(w, project.Extensions);
        w.WriteEndObject();
    }

    private static void WriteService(Utf8JsonWriter w, ServiceConfig s, bool forHash)
    {
        w.WriteStartObject();
        Strings(w, "cap_add", s.CapAdd);
        Strings(w, "cap_drop", s.CapDrop);
        OptionalStrings(w, "command", s.Command);
        Array(w, "configs", s.Configs, WriteFileReference);
        String(w, "container_name", s.ContainerName);
        Number(w, "cpu_shares", s.CpuShares);
        Number(w, "cpus", s.Cpus);
        String(w, "cpuset", s.Cpuset);
        if (!forHash)
        {
            Objects(w, "depends_on", s.DependsOn, WriteDependency);
        }

        // A deploy block holding only update_config says nothing about the container itself.
        if (s.Deploy is { } deploy && !(forHash && deploy is { Mode: null, Resources: null, RestartPolicy: null } && deploy.Labels.IsEmpty))
        {
            w.WritePropertyName("deploy");
            WriteDeploy(w, deploy, forHash);
        }

        Strings(w, "device_cgroup_rules", s.DeviceCgroupRules);
        Array(w, "devices", s.Devices, static (w, d) =>
        {
            w.WriteStartObject();
            w.WriteString("permissions", d.Permissions);
            w.WriteString("source", d.Source);
            w.WriteString("target", d.Target);
            w.WriteEndObject();
        });
        Strings(w, "dns", s.Dns);
        Strings(w, "dns_search", s.DnsSearch);
        String(w, "domainname", s.Domainname);
        OptionalStrings(w, "entrypoint", s.Entrypoint);
        if (!s.Environment.IsEmpty)
        {
            w.WritePropertyName("environment");
            w.WriteStartObject();
            foreach (var (key, value) in s.Environment)
            {
                if (value is null)
                {
                    w.WriteNull(key);
                }
                else
                {
                    w.WriteString(key, value);
                }
            }

            w.WriteEndObject();
        }

        Strings(w, "expose", s.Expose);
        Strings(w, "extra_hosts", s.ExtraHosts);
        Strings(w, "group_add", s.GroupAdd);
        if (s.Healthcheck is { } h)
        {
            w.WritePropertyName("healthcheck");
            w.WriteStartObject();
            Bool(w, "disable", h.Disable);
            Duration(w, "interval", h.Interval);
            Number(w, "retries", h.Retries);
            Duration(w, "start_interval", h.StartInterval);
            Duration(w, "start_period", h.StartPeriod);
            Strings(w, "test", h.Test);
            Duration(w, "timeout", h.Timeout);
            w.WriteEndObject();
        }

        String(w, "hostname", s.Hostname);
        w.WriteString("image", s.Image);
        if (s.Init is { } init)
        {
            w.WriteBoolean("init", init);
        }

        Map(w, "labels", s.Labels);
        if (s.Logging is { } logging)
        {
            w.WritePropertyName("logging");
            w.WriteStartObject();
            String(w, "driver", logging.Driver);
            Map(w, "options", logging.Options);
            w.WriteEndObject();
        }

        Number(w, "mem_limit", s.MemLimitBytes);
        Number(w, "memswap_limit", s.MemswapLimitBytes);
        String(w, "network_mode", s.NetworkMode);
        Objects(w, "networks", s.Networks, WriteServiceNetwork);
        Number(w, "pids_limit", s.PidsLimit);
        String(w, "platform", s.Platform);
        Array(w, "ports", s.Ports, WritePort);
        Bool(w, "privileged", s.Privileged);
        if (!forHash)
        {
            Strings(w, "profiles", s.Profiles);
            String(w, "pull_policy", s.PullPolicy);
        }

        Bool(w, "read_only", s.ReadOnly);
        String(w, "restart", s.Restart);
        if (!forHash)
        {
            w.WriteNumber("scale", s.Replicas);
        }

        Array(w, "secrets", s.Secrets, WriteFileReference);
        Strings(w, "security_opt", s.SecurityOpt);
        Number(w, "shm_size", s.ShmSizeBytes);
        Bool(w, "stdin_open", s.StdinOpen);
        Duration(w, "stop_grace_period", s.StopGracePeriod);
        String(w, "stop_signal", s.StopSignal);
        Map(w, "sysctls", s.Sysctls);
        Strings(w, "tmpfs", s.Tmpfs);
        Bool(w, "tty", s.Tty);
        Objects(w, "ulimits", s.Ulimits, static (w, u) =>
        {
            w.WriteStartObject();
            w.WriteNumber("hard", u.Hard);
            w.WriteNumber("soft", u.Soft);
            w.WriteEndObject();
        });
        String(w, "user", s.User);
        Array(w, "volumes", s.Volumes, WriteVolumeMount);
        String(w, "working_dir", s.WorkingDir);
        if (!forHash)
        {
            Extensions(w, s.Extensions);
        }

        w.WriteEndObject();
    }

    private static void WriteDeploy(Utf8JsonWriter w, ServiceDeploy d, bool forHash)
    {
        w.WriteStartObject();
        Map(w, "labels", d.Labels);
        String(w, "mode", d.Mode);
        if (d.Resources is { } r)
        {
            w.WritePropertyName("resources");
            w.WriteStartObject();
            Limits(w, "limits", r.Limits);
            Limits(w, "reservations", r.Reservations);
            w.WriteEndObject();
        }

        if (d.RestartPolicy is { } rp)
        {
            w.WritePropertyName("restart_policy");
            w.WriteStartObject();
            String(w, "condition", rp.Condition);
            Duration(w, "delay", rp.Delay);
            Number(w, "max_attempts", rp.MaxAttempts);
            Duration(w, "window", rp.Window);
            w.WriteEndObject();
        }

        if (!forHash && d.UpdateConfig is { } uc)
        {
            w.WritePropertyName("update_config");
            w.WriteStartObject();
            Duration(w, "delay", uc.Delay);
            String(w, "failure_action", uc.FailureAction);
            Number(w, "max_failure_ratio", uc.MaxFailureRatio);
            Duration(w, "monitor", uc.Monitor);
            String(w, "order", uc.Order);
            Number(w, "parallelism", uc.Parallelism);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void Limits(Utf8JsonWriter w, string name, ResourceLimits? limits)
    {
        if (limits is null)
        {
            return;
        }

        w.WritePropertyName(name);
        w.WriteStartObject();
        Number(w, "cpus", limits.Cpus);
        Number(w, "memory", limits.MemoryBytes);
        Number(w, "pids", limits.Pids);
        w.WriteEndObject();
    }

    private static void WriteDependency(Utf8JsonWriter w, ServiceDependency d)
    {
        w.WriteStartObject();
        w.WriteString("condition", d.Condition);
        w.WriteBoolean("required", d.Required);
        w.WriteBoolean("restart", d.Restart);
        w.WriteEndObject();
    }

    private static void WriteServiceNetwork(Utf8JsonWriter w, ServiceNetwork n)
    {
        w.WriteStartObject();
        Strings(w, "aliases", n.Aliases);
        String(w, "ipv4_address", n.Ipv4Address);
        String(w, "ipv6_address", n.Ipv6Address);
        String(w, "mac_address", n.MacAddress);
        if (n.Priority != 0)
        {
            w.WriteNumber("priority", n.Priority);
        }

        w.WriteEndObject();
    }

    private static void WritePort(Utf8JsonWriter w, ServicePort p)
    {
        w.WriteStartObject();
        String(w, "app_protocol", p.AppProtocol);
        String(w, "host_ip", p.HostIp);
        w.WriteString("mode", p.Mode);
        String(w, "name", p.Name);
        w.WriteString("protocol", p.Protocol);
        String(w, "published", p.Published);
        w.WriteNumber("target", p.Target);
        w.WriteEndObject();
    }

    private static void WriteVolumeMount(Utf8JsonWriter w, ServiceVolume v)
    {
        w.WriteStartObject();
        if (v.Bind is { } bind)
        {
            w.WritePropertyName("bind");
            w.WriteStartObject();
            w.WriteBoolean("create_host_path", bind.CreateHostPath);
            String(w, "propagation", bind.Propagation);
            String(w, "selinux", bind.SELinux);
            w.WriteEndObject();
        }

        Bool(w, "read_only", v.ReadOnly);
        String(w, "source", v.Source);
        w.WriteString("target", v.Target);
        if (v.Tmpfs is { } tmpfs)
        {
            w.WritePropertyName("tmpfs");
            w.WriteStartObject();
            Number(w, "mode", tmpfs.Mode);
            Number(w, "size", tmpfs.SizeBytes);
            w.WriteEndObject();
        }

        w.WriteString("type", v.Type);
        if (v.Volume is { } volume && (volume.NoCopy || volume.Subpath is not null))
        {
            w.WritePropertyName("volume");
            w.WriteStartObject();
            Bool(w, "nocopy", volume.NoCopy);
            String(w, "subpath", volume.Subpath);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteFileReference(Utf8JsonWriter w, ServiceFileReference r)
    {
        w.WriteStartObject();
        String(w, "gid", r.Gid);
        Number(w, "mode", r.Mode);
        w.WriteString("source", r.Source);
        w.WriteString("target", r.Target);
        String(w, "uid", r.Uid);
        w.WriteEndObject();
    }

    private static void WriteNetwork(Utf8JsonWriter w, NetworkConfig n)
    {
        w.WriteStartObject();
        Bool(w, "attachable", n.Attachable);
        String(w, "driver", n.Driver);
        Map(w, "driver_opts", n.DriverOpts);
        if (n.EnableIpv6 is { } ipv6)
        {
            w.WriteBoolean("enable_ipv6", ipv6);
        }

        Bool(w, "external", n.External);
        Bool(w, "internal", n.Internal);
        if (n.Ipam is { } ipam)
        {
            w.WritePropertyName("ipam");
            w.WriteStartObject();
            Array(w, "config", ipam.Config, static (w, pool) =>
            {
                w.WriteStartObject();
                Map(w, "aux_addresses", pool.AuxAddresses);
                String(w, "gateway", pool.Gateway);
                String(w, "ip_range", pool.IpRange);
                String(w, "subnet", pool.Subnet);
                w.WriteEndObject();
            });
            String(w, "driver", ipam.Driver);
            Map(w, "options", ipam.Options);
            w.WriteEndObject();
        }

        Map(w, "labels", n.Labels);
        w.WriteString("name", n.Name);
        Extensions(w, n.Extensions);
        w.WriteEndObject();
    }

    private static void WriteVolume(Utf8JsonWriter w, VolumeConfig v)
    {
        w.WriteStartObject();
        String(w, "driver", v.Driver);
        Map(w, "driver_opts", v.DriverOpts);
        Bool(w, "external", v.External);
        Map(w, "labels", v.Labels);
        w.WriteString("name", v.Name);
        Extensions(w, v.Extensions);
        w.WriteEndObject();
    }

    private static void WriteFileObject(Utf8JsonWriter w, FileObjectConfig f)
    {
        w.WriteStartObject();
        String(w, "content", f.Content);
        String(w, "environment", f.Environment);
        Bool(w, "external", f.External);
        String(w, "file", f.File);
        Map(w, "labels", f.Labels);
        w.WriteString("name", f.Name);
        w.WriteEndObject();
    }

    private static void Objects<T>(Utf8JsonWriter w, string name, ImmutableSortedDictionary<string, T> items, Action<Utf8JsonWriter, T> write)
    {
        if (items.IsEmpty)
        {
            return;
        }

        w.WritePropertyName(name);
        w.WriteStartObject();
        foreach (var (key, value) in items)
        {
            w.WritePropertyName(key);
            write(w, value);
        }

        w.WriteEndObject();
    }

    private static void Array<T>(Utf8JsonWriter w, string name, ImmutableArray<T> items, Action<Utf8JsonWriter, T> write)
    {
        if (items.IsDefaultOrEmpty)
        {
            return;
        }

        w.WritePropertyName(name);
        w.WriteStartArray();
        foreach (var item in items)
        {
            write(w, item);
        }

        w.WriteEndArray();
    }

    private static void Strings(Utf8JsonWriter w, string name, ImmutableArray<string> items)
    {
        if (!items.IsDefaultOrEmpty)
        {
            WriteStringArray(w, name, items);
        }
    }

    // Null (keep the image's) and empty (override with nothing) differ for command and entrypoint.
    private static void OptionalStrings(Utf8JsonWriter w, string name, ImmutableArray<string>? items)
    {
        if (items is { } list)
        {
            WriteStringArray(w, name, list);
        }
    }

    private static void WriteStringArray(Utf8JsonWriter w, string name, ImmutableArray<string> items)
    {
        w.WritePropertyName(name);
        w.WriteStartArray();
        foreach (var item in items.IsDefault ? [] : items)
        {
            w.WriteStringValue(item);
        }

        w.WriteEndArray();
    }

    private static void Map(Utf8JsonWriter w, string name, ImmutableSortedDictionary<string, string> map)
    {
        if (map.IsEmpty)
        {
            return;
        }

        w.WritePropertyName(name);
        w.WriteStartObject();
        foreach (var (key, value) in map)
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
    }

    private static void Extensions(Utf8JsonWriter w, ImmutableSortedDictionary<string, JsonElement> extensions)
    {
        foreach (var (key, value) in extensions)
        {
            w.WritePropertyName(key);
            value.WriteTo(w);
        }
    }

    private static void String(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void Bool(Utf8JsonWriter w, string name, bool value)
    {
        if (value)
        {
            w.WriteBoolean(name, true);
        }
    }

    private static void Number(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    private static void Number(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            // 1.50 and 1.5 are the same limit; normalize the scale so they serialize alike.
            w.WriteNumber(name, v / 1.000000000000000000000000000000000m);
        }
    }

    private static void Duration(Utf8JsonWriter w, string name, TimeSpan? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, DurationParser.Format(v));
        }
    }
}
