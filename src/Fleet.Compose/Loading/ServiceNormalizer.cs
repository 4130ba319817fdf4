using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Fleet.Compose.Interpolation;
using Fleet.Compose.Model;
using Fleet.Compose.Yaml;

namespace Fleet.Compose.Loading;

/// <summary>Turns one service's (merged, interpolated) tree into a normalized <see cref="ServiceConfig"/>.</summary>
internal static class ServiceNormalizer
{
    // Keys of the specification that Fleet reads into the model.
    private static readonly string[] Modelled =
    [
        "image", "command", "entrypoint", "environment", "env_file", "ports", "expose", "volumes", "tmpfs", "networks",
        "network_mode", "depends_on", "healthcheck", "restart", "deploy", "scale", "labels", "container_name", "hostname",
        "domainname", "user", "working_dir", "privileged", "read_only", "init", "tty", "stdin_open", "cap_add", "cap_drop",
        "security_opt", "devices", "device_cgroup_rules", "group_add", "sysctls", "ulimits", "mem_limit", "memswap_limit",
        "cpus", "cpu_shares", "cpuset", "pids_limit", "shm_size", "stop_signal", "stop_grace_period", "extra_hosts", "dns",
        "dns_search", "logging", "profiles", "pull_policy", "platform", "configs", "secrets", "build",
    ];

    // Keys of the specification that are valid but that Fleet does not apply on a device: accepted with a warning.
    private static readonly string[] Ignored =
    [
        "annotations", "attach", "blkio_config", "cgroup", "cgroup_parent", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota",
        "cpu_rt_period", "cpu_rt_runtime", "credential_spec", "develop", "dns_opt", "external_links", "gpus", "ipc", "isolation",
        "label_file", "links", "mac_address", "mem_reservation", "mem_swappiness", "oom_kill_disable", "oom_score_adj", "pid",
        "post_start", "pre_stop", "runtime", "storage_opt", "userns_mode", "uts", "volumes_from", "use_api_socket", "models", "provider",
    ];

    private static readonly string[] AllKeys = [.. Modelled, .. Ignored, "extends"];
    private static readonly string[] HealthcheckKeys = ["test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"];
    private static readonly string[] DependsOnKeys = ["condition", "required", "restart"];
    private static readonly string[] NetworkKeys = ["aliases", "ipv4_address", "ipv6_address", "priority", "mac_address", "link_local_ips", "driver_opts", "interface_name", "gw_priority"];
    private static readonly string[] DeployKeys = ["mode", "replicas", "resources", "restart_policy", "update_config", "rollback_config", "labels", "placement", "endpoint_mode"];
    private static readonly string[] ResourcesKeys = ["limits", "reservations"];
    private static readonly string[] LimitKeys = ["cpus", "memory", "pids", "devices", "generic_resources"];
    private static readonly string[] RestartPolicyKeys = ["condition", "delay", "max_attempts", "window"];
    private static readonly string[] UpdateConfigKeys = ["parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order"];
    private static readonly string[] LoggingKeys = ["driver", "options"];
    private static readonly string[] UlimitKeys = ["soft", "hard"];
    private static readonly string[] DeviceKeys = ["source", "target", "permissions"];
    private static readonly string[] FileReferenceKeys = ["source", "target", "uid", "gid", "mode"];
    private static readonly string[] EnvFileKeys = ["path", "required", "format"];

    public static ServiceConfig? Normalize(string name, YamlNode node, LoadContext context)
    {
        var reader = context.Reader;
        var diagnostics = context.Diagnostics;
        if (reader.Mapping(node, name, null) is not { } service)
        {
            if (node is YamlScalar { IsNull: true })
            {
                diagnostics.Error(node, name, null, "service is empty: it needs at least image:");
            }

            return null;
        }

        reader.CheckKeys(service, name, "", AllKeys);
        foreach (var ignored in Ignored)
        {
            if (service.KeyNode(ignored) is { } key)
            {
                diagnostics.Warning(key, name, ignored, "not applied by Fleet, ignored");
            }
        }

        string? Str(string key) => service[key] is { } n ? reader.String(n, name, key) : null;
        bool Flag(string key) => service[key] is { } n && (reader.Bool(n, name, key) ?? false);
        long? Bytes(string key) => service[key] is { } n ? reader.Bytes(n, name, key) : null;
        ImmutableArray<string> List(string key, bool allowSingle = false) =>
            service[key] is { } n ? reader.Strings(n, name, key, allowSingle) : [];

        // Ignoring extends would silently run a different service than the author wrote.
        if (service.KeyNode("extends") is { } extends)
        {
            diagnostics.Error(extends, name, "extends", "not supported by Fleet: write the service out in full, or merge files with -f");
        }

        var image = Str("image");
        if (service["build"] is { } build)
        {
            if (image is null)
            {
                diagnostics.Error(service.KeyNode("build")!, name, null, $"service {name} has no image: build the image, push it to a registry and set image:");
            }
            else
            {
                diagnostics.Warning(build, name, "build", $"ignored: Fleet does not build, it runs image \"{image}\"");
            }
        }
        else if (image is null)
        {
            diagnostics.Error(service, name, null, $"service {name} has no image: set image: to an image in a registry the device can reach");
        }

        var networkMode = Str("network_mode");
        var networks = ReadNetworks(service, name, networkMode, context);
        int? deployReplicas = null;
        var deploy = service["deploy"] is { } deployNode ? ReadDeploy(deployNode, name, context, out deployReplicas) : null;

        var scale = service["scale"] is { } scaleNode ? reader.Int(scaleNode, name, "scale", 0) : null;
        if (scale is not null && deployReplicas is not null && scale != deployReplicas)
        {
            diagnostics.Error(service["scale"]!, name, "scale", $"scale ({scale}) and deploy.replicas ({deployReplicas}) disagree: keep one");
        }

        if (Str("restart") is { } restart && !IsRestartPolicy(restart))
        {
            diagnostics.Error(service["restart"]!, name, "restart", $"invalid restart policy \"{restart}\": must be no, always, unless-stopped, on-failure or on-failure:N");
        }

        if (service["container_name"] is { } containerName && (deployReplicas ?? scale ?? 1) > 1)
        {
            diagnostics.Error(containerName, name, "container_name", "cannot be used with more than one replica: container names are unique");
        }

        var pullPolicy = Str("pull_policy");
        if (pullPolicy is not null && pullPolicy is not ("always" or "never" or "missing" or "if_not_present" or "build" or "daily" or "weekly")
            && !pullPolicy.StartsWith("every_", StringComparison.Ordinal))
        {
            diagnostics.Error(service["pull_policy"]!, name, "pull_policy", $"invalid pull policy \"{pullPolicy}\": must be always, never, missing, build, daily, weekly or every_<duration>");
        }

        return new ServiceConfig
        {
            Name = name,
            Image = image ?? "",
            Command = service["command"] is { } command ? ReadCommand(command, name, "command", context) : null,
            Entrypoint = service["entrypoint"] is { } entrypoint ? ReadCommand(entrypoint, name, "entrypoint", context) : null,
            Environment = ReadEnvironment(service, name, context),
            Ports = service["ports"] is { } ports ? PortParser.Read(ports, name, context) : [],
            Expose = List("expose"),
            Volumes = service["volumes"] is { } volumes ? VolumeParser.Read(volumes, name, context) : [],
            Tmpfs = List("tmpfs", allowSingle: true),
            Networks = networks,
            NetworkMode = networkMode,
            DependsOn = ReadDependsOn(service, name, context),
            Healthcheck = service["healthcheck"] is { } healthcheck ? ReadHealthcheck(healthcheck, name, context) : null,
            Restart = Str("restart"),
            Deploy = deploy,
            Replicas = deployReplicas ?? scale ?? 1,
            Labels = service["labels"] is { } labels ? reader.StringMap(labels, name, "labels") : ComposeCollections.EmptyMap<string>(),
            ContainerName = Str("container_name"),
            Hostname = Str("hostname"),
            Domainname = Str("domainname"),
            User = Str("user"),
            WorkingDir = Str("working_dir"),
            Privileged = Flag("privileged"),
            ReadOnly = Flag("read_only"),
            Init = service["init"] is { } init ? reader.Bool(init, name, "init") : null,
            Tty = Flag("tty"),
            StdinOpen = Flag("stdin_open"),
            CapAdd = Set(List("cap_add")),
            CapDrop = Set(List("cap_drop")),
            SecurityOpt = List("security_opt"),
            Devices = ReadDevices(service, name, context),
            DeviceCgroupRules = List("device_cgroup_rules"),
            GroupAdd = List("group_add"),
            Sysctls = service["sysctls"] is { } sysctls ? reader.StringMap(sysctls, name, "sysctls") : ComposeCollections.EmptyMap<string>(),
            Ulimits = ReadUlimits(service, name, context),
            MemLimitBytes = Bytes("mem_limit"),
            MemswapLimitBytes = service["memswap_limit"] is YamlScalar { Value: "-1" } ? -1 : Bytes("memswap_limit"),
            Cpus = service["cpus"] is { } cpus ? reader.Decimal(cpus, name, "cpus") : null,
            CpuShares = service["cpu_shares"] is { } shares ? reader.Long(shares, name, "cpu_shares", 0) : null,
            Cpuset = Str("cpuset"),
            PidsLimit = service["pids_limit"] is { } pids ? reader.Long(pids, name, "pids_limit", -1) : null,
            ShmSizeBytes = Bytes("shm_size"),
            StopSignal = Str("stop_signal"),
            StopGracePeriod = service["stop_grace_period"] is { } grace ? reader.Duration(grace, name, "stop_grace_period") : null,
            ExtraHosts = ReadExtraHosts(service, name, context),
            Dns = List("dns", allowSingle: true),
            DnsSearch = List("dns_search", allowSingle: true),
            Logging = service["logging"] is { } logging ? ReadLogging(logging, name, context) : null,
            Profiles = List("profiles"),
            PullPolicy = pullPolicy,
            Platform = Str("platform"),
            Configs = ReadFileReferences(service, name, "configs", context.Configs, s => "/" + s, context),
            Secrets = ReadFileReferences(service, name, "secrets", context.Secrets, s => "/run/secrets/" + s, context),
            Extensions = ExtensionWriter.Extensions(service),
        };
    }

    private static ImmutableArray<string> Set(ImmutableArray<string> items) => [.. items.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static bool IsRestartPolicy(string value)
    {
        if (value is "no" or "always" or "unless-stopped" or "on-failure")
        {
            return true;
        }

        return value.StartsWith("on-failure:", StringComparison.Ordinal) && int.TryParse(value.AsSpan(11), out var retries) && retries >= 0;
    }

    private static ImmutableArray<string>? ReadCommand(YamlNode node, string service, string field, LoadContext context)
    {
        if (node is YamlScalar { IsNull: true })
        {
            return null;
        }

        if (node is YamlScalar scalar)
        {
            var (words, error) = ShellSplitter.Split(scalar.Value);
            if (error is not null)
            {
                context.Diagnostics.Error(node, service, field, $"{error} in \"{scalar.Value}\"");
                return null;
            }

            return [.. words];
        }

        return context.Reader.Strings(node, service, field);
    }

    private static ImmutableSortedDictionary<string, string?> ReadEnvironment(YamlMapping service, string name, LoadContext context)
    {
        var environment = ImmutableSortedDictionary.CreateBuilder<string, string?>(StringComparer.Ordinal);
        if (service["env_file"] is { } envFiles)
        {
            ReadEnvFiles(envFiles, name, context, environment);
        }

        if (service["environment"] is { } node)
        {
            foreach (var (key, value, _) in context.Reader.KeyValues(node, name, "environment"))
            {
                // "KEY" alone (or "KEY:" with no value) takes the value from the loader's variables, or stays unset.
                environment[key] = value ?? context.Lookup(key);
            }
        }

        return environment.ToImmutable();
    }

    private static void ReadEnvFiles(YamlNode node, string name, LoadContext context, ImmutableSortedDictionary<string, string?>.Builder environment)
    {
        var items = node is YamlSequence sequence ? sequence.Items : [node];
        for (var i = 0; i < items.Count; i++)
        {
            var field = node is YamlSequence ? NodeReader.Index("env_file", i) : "env_file";
            string? path;
            var required = true;
            if (items[i] is YamlMapping mapping)
            {
                context.Reader.CheckKeys(mapping, name, field, EnvFileKeys);
                path = mapping["path"] is { } p ? context.Reader.String(p, name, field + ".path") : null;
                required = mapping["required"] is not { } r || (context.Reader.Bool(r, name, field + ".required") ?? true);
            }
            else
            {
                path = context.Reader.String(items[i], name, field);
            }

            if (path is null)
            {
                continue;
            }

            var fullPath = context.ResolvePath(path);
            var text = context.ReadFile(fullPath);
            if (text is null)
            {
                if (required)
                {
                    context.Diagnostics.Error(items[i], name, field, $"env file \"{fullPath}\" not found (set required: false if it may be missing)");
                }

                continue;
            }

            var (entries, errors) = DotEnvParser.Parse(text, context.Lookup);
            foreach (var (line, message) in errors)
            {
                context.Diagnostics.Error(new SourceMark(fullPath, line, 0), name, field, message);
            }

            foreach (var entry in entries)
            {
                environment[entry.Key] = entry.Value ?? context.Lookup(entry.Key);
            }
        }
    }

    private static ImmutableSortedDictionary<string, ServiceNetwork> ReadNetworks(YamlMapping service, string name, string? networkMode, LoadContext context)
    {
        var reader = context.Reader;
        var result = ImmutableSortedDictionary.CreateBuilder<string, ServiceNetwork>(StringComparer.Ordinal);
        if (networkMode is not null)
        {
            if (service["networks"] is { } both and not YamlScalar { IsNull: true })
            {
                context.Diagnostics.Error(both, name, "networks", "cannot be used together with network_mode");
            }

            if (networkMode.StartsWith("service:", StringComparison.Ordinal) && !context.AllServices.Contains(networkMode[8..]))
            {
                context.Diagnostics.Error(service["network_mode"]!, name, "network_mode", $"refers to undefined service \"{networkMode[8..]}\"");
            }

            return result.ToImmutable();
        }

        if (service["networks"] is not { } node || node is YamlScalar { IsNull: true })
        {
            result["default"] = new ServiceNetwork();
            return result.ToImmutable();
        }

        var entries = new List<(string Key, YamlNode KeyNode, YamlNode? Value)>();
        if (node is YamlSequence sequence)
        {
            for (var i = 0; i < sequence.Items.Count; i++)
            {
                if (reader.String(sequence.Items[i], name, NodeReader.Index("networks", i)) is { } key)
                {
                    entries.Add((key, sequence.Items[i], null));
                }
            }
        }
        else if (node is YamlMapping mapping)
        {
            entries.AddRange(mapping.Entries.Select(e => (e.Key.Value, (YamlNode)e.Key, (YamlNode?)e.Value)));
        }
        else
        {
            context.Diagnostics.Error(node, name, "networks", $"must be a list or a mapping, not {node.KindName}");
        }

        foreach (var (key, keyNode, value) in entries)
        {
            var field = "networks." + key;
            if (!context.Networks.Contains(key) && key != "default")
            {
                context.Diagnostics.Error(keyNode, name, "networks", $"network \"{key}\" is not declared under the top-level networks:");
            }

            var network = new ServiceNetwork();
            if (value is not null && reader.Mapping(value, name, field) is { } options)
            {
                reader.CheckKeys(options, name, field, NetworkKeys);
                network = new ServiceNetwork
                {
                    Aliases = options["aliases"] is { } aliases ? reader.Strings(aliases, name, field + ".aliases") : [],
                    Ipv4Address = Address(options["ipv4_address"], AddressFamily.InterNetwork, name, field + ".ipv4_address", context),
                    Ipv6Address = Address(options["ipv6_address"], AddressFamily.InterNetworkV6, name, field + ".ipv6_address", context),
                    Priority = options["priority"] is { } priority ? reader.Int(priority, name, field + ".priority") ?? 0 : 0,
                    MacAddress = options["mac_address"] is { } mac ? reader.String(mac, name, field + ".mac_address") : null,
                };
            }

            result[key] = network;
        }

        return result.ToImmutable();
    }

    private static string? Address(YamlNode? node, AddressFamily family, string name, string field, LoadContext context)
    {
        if (node is null || context.Reader.String(node, name, field) is not { } text)
        {
            return null;
        }

        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != family)
        {
            context.Diagnostics.Error(node, name, field, $"invalid {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address \"{text}\"");
        }

        return text;
    }

    private static ImmutableSortedDictionary<string, ServiceDependency> ReadDependsOn(YamlMapping service, string name, LoadContext context)
    {
        var reader = context.Reader;
        var result = ImmutableSortedDictionary.CreateBuilder<string, ServiceDependency>(StringComparer.Ordinal);
        if (service["depends_on"] is not { } node || node is YamlScalar { IsNull: true })
        {
            return result.ToImmutable();
        }

        var entries = new List<(string Key, YamlNode KeyNode, ServiceDependency Dependency)>();
        if (node is YamlSequence sequence)
        {
            for (var i = 0; i < sequence.Items.Count; i++)
            {
                if (reader.String(sequence.Items[i], name, NodeReader.Index("depends_on", i)) is { } key)
                {
                    entries.Add((key, sequence.Items[i], new ServiceDependency()));
                }
            }
        }
        else if (node is YamlMapping mapping)
        {
            foreach (var (key, value) in mapping.Entries)
            {
                var field = "depends_on." + key.Value;
                var dependency = new ServiceDependency();
                if (reader.Mapping(value, name, field) is { } options)
                {
                    reader.CheckKeys(options, name, field, DependsOnKeys);
                    var condition = options["condition"] is { } c ? reader.String(c, name, field + ".condition") : null;
                    if (condition is not null and not ("service_started" or "service_healthy" or "service_completed_successfully"))
                    {
                        context.Diagnostics.Error(options["condition"]!, name, field + ".condition", $"invalid condition \"{condition}\": must be service_started, service_healthy or service_completed_successfully");
                    }

                    dependency = new ServiceDependency
                    {
                        Condition = condition ?? "service_started",
                        Required = options["required"] is not { } r || (reader.Bool(r, name, field + ".required") ?? true),
                        Restart = options["restart"] is { } rs && (reader.Bool(rs, name, field + ".restart") ?? false),
                    };
                }

                entries.Add((key.Value, key, dependency));
            }
        }
        else
        {
            context.Diagnostics.Error(node, name, "depends_on", $"must be a list or a mapping, not {node.KindName}");
        }

        foreach (var (key, keyNode, dependency) in entries)
        {
            if (key == name)
            {
                context.Diagnostics.Error(keyNode, name, "depends_on", "a service cannot depend on itself");
            }
            else if (!context.AllServices.Contains(key))
            {
                if (dependency.Required)
                {
                    context.Diagnostics.Error(keyNode, name, "depends_on", $"depends on undefined service \"{key}\"");
                }
            }
            else if (!context.ActiveServices.Contains(key))
            {
                if (dependency.Required)
                {
                    context.Diagnostics.Error(keyNode, name, "depends_on", $"depends on service \"{key}\", which is not in the active profiles (enable its profile or set required: false)");
                }
            }
            else
            {
                result[key] = dependency;
            }
        }

        return result.ToImmutable();
    }

    private static ServiceHealthcheck? ReadHealthcheck(YamlNode node, string name, LoadContext context)
    {
        var reader = context.Reader;
        if (reader.Mapping(node, name, "healthcheck") is not { } healthcheck)
        {
            return null;
        }

        reader.CheckKeys(healthcheck, name, "healthcheck", HealthcheckKeys);
        ImmutableArray<string> test = [];
        if (healthcheck["test"] is { } testNode)
        {
            if (testNode is YamlScalar { IsNull: false } scalar)
            {
                test = ["CMD-SHELL", scalar.Value];
            }
            else
            {
                test = reader.Strings(testNode, name, "healthcheck.test");
                if (test.Length > 0 && test[0] is not ("NONE" or "CMD" or "CMD-SHELL"))
                {
                    context.Diagnostics.Error(testNode, name, "healthcheck.test", $"a test list starts with NONE, CMD or CMD-SHELL, not \"{test[0]}\"");
                }
            }
        }

        TimeSpan? Duration(string key) => healthcheck[key] is { } n ? reader.Duration(n, name, "healthcheck." + key) : null;
        var disable = healthcheck["disable"] is { } d && (reader.Bool(d, name, "healthcheck.disable") ?? false);
        return new ServiceHealthcheck
        {
            Test = test,
            Interval = Duration("interval"),
            Timeout = Duration("timeout"),
            Retries = healthcheck["retries"] is { } retries ? reader.Int(retries, name, "healthcheck.retries", 0) : null,
            StartPeriod = Duration("start_period"),
            StartInterval = Duration("start_interval"),
            Disable = disable || (test.Length > 0 && test[0] == "NONE"),
        };
    }

    private static ServiceDeploy? ReadDeploy(YamlNode node, string name, LoadContext context, out int? replicas)
    {
        var reader = context.Reader;
        replicas = null;
        if (reader.Mapping(node, name, "deploy") is not { } deploy)
        {
            return null;
        }

        reader.CheckKeys(deploy, name, "deploy", DeployKeys);
        replicas = deploy["replicas"] is { } r ? reader.Int(r, name, "deploy.replicas", 0) : null;
        DeployResources? resources = null;
        if (deploy["resources"] is { } resourcesNode && reader.Mapping(resourcesNode, name, "deploy.resources") is { } res)
        {
            reader.CheckKeys(res, name, "deploy.resources", ResourcesKeys);
            resources = new DeployResources
            {
                Limits = res["limits"] is { } l ? ReadLimits(l, name, "deploy.resources.limits", context) : null,
                Reservations = res["reservations"] is { } rv ? ReadLimits(rv, name, "deploy.resources.reservations", context) : null,
            };
        }

        DeployRestartPolicy? restartPolicy = null;
        if (deploy["restart_policy"] is { } rpNode && reader.Mapping(rpNode, name, "deploy.restart_policy") is { } rp)
        {
            reader.CheckKeys(rp, name, "deploy.restart_policy", RestartPolicyKeys);
            var condition = rp["condition"] is { } c ? reader.String(c, name, "deploy.restart_policy.condition") : null;
            if (condition is not null and not ("none" or "on-failure" or "any"))
            {
                context.Diagnostics.Error(rp["condition"]!, name, "deploy.restart_policy.condition", $"invalid condition \"{condition}\": must be none, on-failure or any");
            }

            restartPolicy = new DeployRestartPolicy
            {
                Condition = condition,
                Delay = rp["delay"] is { } delay ? reader.Duration(delay, name, "deploy.restart_policy.delay") : null,
                MaxAttempts = rp["max_attempts"] is { } max ? reader.Int(max, name, "deploy.restart_policy.max_attempts", 0) : null,
                Window = rp["window"] is { } window ? reader.Duration(window, name, "deploy.restart_policy.window") : null,
            };
        }

        DeployUpdateConfig? updateConfig = null;
        if (deploy["update_config"] is { } ucNode && reader.Mapping(ucNode, name, "deploy.update_config") is { } uc)
        {
            reader.CheckKeys(uc, name, "deploy.update_config", UpdateConfigKeys);
            var order = uc["order"] is { } o ? reader.String(o, name, "deploy.update_config.order") : null;
            if (order is not null and not ("start-first" or "stop-first"))
            {
                context.Diagnostics.Error(uc["order"]!, name, "deploy.update_config.order", $"invalid order \"{order}\": must be start-first or stop-first");
            }

            updateConfig = new DeployUpdateConfig
            {
                Parallelism = uc["parallelism"] is { } p ? reader.Int(p, name, "deploy.update_config.parallelism", 0) : null,
                Delay = uc["delay"] is { } delay ? reader.Duration(delay, name, "deploy.update_config.delay") : null,
                FailureAction = uc["failure_action"] is { } fa ? reader.String(fa, name, "deploy.update_config.failure_action") : null,
                Monitor = uc["monitor"] is { } m ? reader.Duration(m, name, "deploy.update_config.monitor") : null,
                MaxFailureRatio = uc["max_failure_ratio"] is { } mfr ? reader.Decimal(mfr, name, "deploy.update_config.max_failure_ratio") : null,
                Order = order,
            };
        }

        return new ServiceDeploy
        {
            Mode = deploy["mode"] is { } mode ? reader.String(mode, name, "deploy.mode") : null,
            Resources = resources,
            RestartPolicy = restartPolicy,
            UpdateConfig = updateConfig,
            Labels = deploy["labels"] is { } labels ? reader.StringMap(labels, name, "deploy.labels") : ComposeCollections.EmptyMap<string>(),
        };
    }

    private static ResourceLimits? ReadLimits(YamlNode node, string name, string field, LoadContext context)
    {
        var reader = context.Reader;
        if (reader.Mapping(node, name, field) is not { } limits)
        {
            return null;
        }

        reader.CheckKeys(limits, name, field, LimitKeys);
        return new ResourceLimits
        {
            Cpus = limits["cpus"] is { } cpus ? reader.Decimal(cpus, name, field + ".cpus") : null,
            MemoryBytes = limits["memory"] is { } memory ? reader.Bytes(memory, name, field + ".memory") : null,
            Pids = limits["pids"] is { } pids ? reader.Long(pids, name, field + ".pids", -1) : null,
        };
    }

    private static ImmutableArray<ServiceDevice> ReadDevices(YamlMapping service, string name, LoadContext context)
    {
        var reader = context.Reader;
        if (service["devices"] is not YamlSequence sequence)
        {
            if (service["devices"] is { } other and not YamlScalar { IsNull: true })
            {
                context.Diagnostics.Error(other, name, "devices", $"must be a list, not {other.KindName}");
            }

            return [];
        }

        var devices = ImmutableArray.CreateBuilder<ServiceDevice>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var field = NodeReader.Index("devices", i);
            if (sequence.Items[i] is YamlMapping mapping)
            {
                reader.CheckKeys(mapping, name, field, DeviceKeys);
                var source = mapping["source"] is { } s ? reader.String(s, name, field + ".source") : null;
                if (source is null)
                {
                    context.Diagnostics.Error(mapping, name, field, "a device in long syntax needs \"source\"");
                    continue;
                }

                devices.Add(new ServiceDevice
                {
                    Source = source,
                    Target = (mapping["target"] is { } t ? reader.String(t, name, field + ".target") : null) ?? source,
                    Permissions = (mapping["permissions"] is { } p ? reader.String(p, name, field + ".permissions") : null) ?? "rwm",
                });
                continue;
            }

            if (reader.String(sequence.Items[i], name, field) is not { } text)
            {
                continue;
            }

            var parts = text.Split(':');
            if (parts.Length > 3 || parts[0].Length == 0 || (parts.Length == 3 && !parts[2].All(c => c is 'r' or 'w' or 'm')))
            {
                context.Diagnostics.Error(sequence.Items[i], name, field, $"invalid device \"{text}\": expected HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]] such as /dev/ttyUSB0:/dev/ttyUSB0:rwm");
                continue;
            }

            devices.Add(new ServiceDevice
            {
                Source = parts[0],
                Target = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : parts[0],
                Permissions = parts.Length > 2 ? parts[2] : "rwm",
            });
        }

        return devices.ToImmutable();
    }

    private static ImmutableSortedDictionary<string, ServiceUlimit> ReadUlimits(YamlMapping service, string name, LoadContext context)
    {
        var reader = context.Reader;
        var result = ImmutableSortedDictionary.CreateBuilder<string, ServiceUlimit>(StringComparer.Ordinal);
        if (service["ulimits"] is not { } node || reader.Mapping(node, name, "ulimits") is not { } ulimits)
        {
            return result.ToImmutable();
        }

        foreach (var (key, value) in ulimits.Entries)
        {
            var field = "ulimits." + key.Value;
            if (value is YamlMapping pair)
            {
                reader.CheckKeys(pair, name, field, UlimitKeys);
                var soft = pair["soft"] is { } s ? reader.Long(s, name, field + ".soft", -1) : null;
                var hard = pair["hard"] is { } h ? reader.Long(h, name, field + ".hard", -1) : null;
                if (soft is null || hard is null)
                {
                    context.Diagnostics.Error(pair, name, field, "needs both soft and hard, or a single number");
                    continue;
                }

                result[key.Value] = new ServiceUlimit { Soft = soft.Value, Hard = hard.Value };
            }
            else if (reader.Long(value, name, field, -1) is { } both)
            {
                result[key.Value] = new ServiceUlimit { Soft = both, Hard = both };
            }
        }

        return result.ToImmutable();
    }

    private static ImmutableArray<string> ReadExtraHosts(YamlMapping service, string name, LoadContext context)
    {
        if (service["extra_hosts"] is not { } node)
        {
            return [];
        }

        var hosts = ImmutableArray.CreateBuilder<string>();
        if (node is YamlMapping mapping)
        {
            foreach (var (key, value) in mapping.Entries)
            {
                foreach (var ip in value is YamlSequence ? context.Reader.Strings(value, name, "extra_hosts." + key.Value) : [context.Reader.String(value, name, "extra_hosts." + key.Value) ?? ""])
                {
                    hosts.Add(key.Value + ":" + ip);
                }
            }

            return hosts.ToImmutable();
        }

        var items = context.Reader.Strings(node, name, "extra_hosts");
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var colon = item.IndexOf(':', StringComparison.Ordinal);
            var at = equals >= 0 ? equals : colon;
            if (at <= 0 || at == item.Length - 1)
            {
                context.Diagnostics.Error(((YamlSequence)node).Items[i], name, NodeReader.Index("extra_hosts", i), $"invalid extra host \"{item}\": expected HOST:IP or HOST=IP");
                continue;
            }

            var ip = item[(at + 1)..];
            if (ip.StartsWith('[') && ip.EndsWith(']'))
            {
                ip = ip[1..^1];
            }

            // "host-gateway" is Docker's name for the host's address on the bridge.
            if (ip != "host-gateway" && !IPAddress.TryParse(ip, out _))
            {
                context.Diagnostics.Error(((YamlSequence)node).Items[i], name, NodeReader.Index("extra_hosts", i), $"invalid IP address \"{ip}\" in \"{item}\"");
                continue;
            }

            hosts.Add(item[..at] + ":" + ip);
        }

        return hosts.ToImmutable();
    }

    private static ServiceLogging? ReadLogging(YamlNode node, string name, LoadContext context)
    {
        var reader = context.Reader;
        if (reader.Mapping(node, name, "logging") is not { } logging)
        {
            return null;
        }

        reader.CheckKeys(logging, name, "logging", LoggingKeys);
        return new ServiceLogging
        {
            Driver = logging["driver"] is { } d ? reader.String(d, name, "logging.driver") : null,
            Options = logging["options"] is { } o ? reader.StringMap(o, name, "logging.options") : ComposeCollections.EmptyMap<string>(),
        };
    }

    private static ImmutableArray<ServiceFileReference> ReadFileReferences(
        YamlMapping service, string name, string field, IReadOnlySet<string> declared, Func<string, string> defaultTarget, LoadContext context)
    {
        var reader = context.Reader;
        if (service[field] is not { } node || node is YamlScalar { IsNull: true })
        {
            return [];
        }

        if (node is not YamlSequence sequence)
        {
            context.Diagnostics.Error(node, name, field, $"must be a list, not {node.KindName}");
            return [];
        }

        var kind = field == "configs" ? "config" : "secret";
        var result = ImmutableArray.CreateBuilder<ServiceFileReference>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var itemField = NodeReader.Index(field, i);
            var item = sequence.Items[i];
            ServiceFileReference? reference = null;
            if (item is YamlMapping mapping)
            {
                reader.CheckKeys(mapping, name, itemField, FileReferenceKeys);
                var source = mapping["source"] is { } s ? reader.String(s, name, itemField + ".source") : null;
                if (source is null)
                {
                    context.Diagnostics.Error(mapping, name, itemField, $"a {kind} in long syntax needs \"source\"");
                    continue;
                }

                var target = mapping["target"] is { } t ? reader.String(t, name, itemField + ".target") : null;
                reference = new ServiceFileReference
                {
                    Source = source,
                    Target = target is null ? defaultTarget(source) : field == "secrets" && !target.StartsWith('/') ? "/run/secrets/" + target : target,
                    Uid = mapping["uid"] is { } u ? reader.String(u, name, itemField + ".uid") : null,
                    Gid = mapping["gid"] is { } g ? reader.String(g, name, itemField + ".gid") : null,
                    Mode = mapping["mode"] is { } m ? reader.Mode(m, name, itemField + ".mode") : null,
                };
            }
            else if (reader.String(item, name, itemField) is { } source)
            {
                reference = new ServiceFileReference { Source = source, Target = defaultTarget(source) };
            }

            if (reference is null)
            {
                continue;
            }

            if (!declared.Contains(reference.Source))
            {
                context.Diagnostics.Error(item, name, itemField, $"{kind} \"{reference.Source}\" is not declared under the top-level {field}:");
            }

            result.Add(reference);
        }

        return result.ToImmutable();
    }
}
