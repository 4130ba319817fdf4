using System.Collections.Immutable;
using Fleet.Compose.Model;
using Fleet.Compose.Yaml;

namespace Fleet.Compose.Loading;

/// <summary>The top-level networks, volumes, configs and secrets.</summary>
internal static class TopLevelNormalizer
{
    private static readonly string[] NetworkKeys = ["driver", "driver_opts", "labels", "name", "external", "internal", "attachable", "enable_ipv4", "enable_ipv6", "ipam"];
    private static readonly string[] IpamKeys = ["driver", "config", "options"];
    private static readonly string[] PoolKeys = ["subnet", "ip_range", "gateway", "aux_addresses"];
    private static readonly string[] VolumeKeys = ["driver", "driver_opts", "labels", "name", "external"];
    private static readonly string[] FileObjectKeys = ["file", "environment", "content", "external", "name", "labels", "template_driver", "driver", "driver_opts"];

    public static ImmutableSortedDictionary<string, NetworkConfig> Networks(YamlMapping? section, string project, NodeReader reader)
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, NetworkConfig>(StringComparer.Ordinal);
        foreach (var (key, value) in section?.Entries ?? [])
        {
            var field = "networks." + key.Value;
            var network = reader.Mapping(value, null, field);
            if (network is null)
            {
                result[key.Value] = new NetworkConfig { Name = project + "_" + key.Value };
                continue;
            }

            reader.CheckKeys(network, null, field, NetworkKeys);
            var (external, externalName) = External(network, field, reader);
            var name = (network["name"] is { } n ? reader.String(n, null, field + ".name") : null) ?? externalName;
            NetworkIpam? ipam = null;
            if (network["ipam"] is { } ipamNode && reader.Mapping(ipamNode, null, field + ".ipam") is { } i)
            {
                reader.CheckKeys(i, null, field + ".ipam", IpamKeys);
                var pools = ImmutableArray.CreateBuilder<IpamPool>();
                if (i["config"] is YamlSequence config)
                {
                    for (var p = 0; p < config.Items.Count; p++)
                    {
                        var poolField = NodeReader.Index(field + ".ipam.config", p);
                        if (reader.Mapping(config.Items[p], null, poolField) is not { } pool)
                        {
                            continue;
                        }

                        reader.CheckKeys(pool, null, poolField, PoolKeys);
                        pools.Add(new IpamPool
                        {
                            Subnet = pool["subnet"] is { } s ? reader.String(s, null, poolField + ".subnet") : null,
                            IpRange = pool["ip_range"] is { } r ? reader.String(r, null, poolField + ".ip_range") : null,
                            Gateway = pool["gateway"] is { } g ? reader.String(g, null, poolField + ".gateway") : null,
                            AuxAddresses = pool["aux_addresses"] is { } a ? reader.StringMap(a, null, poolField + ".aux_addresses") : ComposeCollections.EmptyMap<string>(),
                        });
                    }
                }

                ipam = new NetworkIpam
                {
                    Driver = i["driver"] is { } d ? reader.String(d, null, field + ".ipam.driver") : null,
                    Config = pools.ToImmutable(),
                    Options = i["options"] is { } o ? reader.StringMap(o, null, field + ".ipam.options") : ComposeCollections.EmptyMap<string>(),
                };
            }

            result[key.Value] = new NetworkConfig
            {
                Name = name ?? (external ? key.Value : project + "_" + key.Value),
                Driver = network["driver"] is { } driver ? reader.String(driver, null, field + ".driver") : null,
                DriverOpts = network["driver_opts"] is { } opts ? reader.StringMap(opts, null, field + ".driver_opts") : ComposeCollections.EmptyMap<string>(),
                Labels = network["labels"] is { } labels ? reader.StringMap(labels, null, field + ".labels") : ComposeCollections.EmptyMap<string>(),
                External = external,
                Internal = network["internal"] is { } internalNode && (reader.Bool(internalNode, null, field + ".internal") ?? false),
                Attachable = network["attachable"] is { } attachable && (reader.Bool(attachable, null, field + ".attachable") ?? false),
                EnableIpv6 = network["enable_ipv6"] is { } ipv6 ? reader.Bool(ipv6, null, field + ".enable_ipv6") : null,
                Ipam = ipam,
                Extensions = ExtensionWriter.Extensions(network),
            };
        }

        return result.ToImmutable();
    }

    public static ImmutableSortedDictionary<string, VolumeConfig> Volumes(YamlMapping? section, string project, NodeReader reader)
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, VolumeConfig>(StringComparer.Ordinal);
        foreach (var (key, value) in section?.Entries ?? [])
        {
            var field = "volumes." + key.Value;
            var volume = reader.Mapping(value, null, field);
            if (volume is null)
            {
                result[key.Value] = new VolumeConfig { Name = project + "_" + key.Value };
                continue;
            }

            reader.CheckKeys(volume, null, field, VolumeKeys);
            var (external, externalName) = External(volume, field, reader);
            var name = (volume["name"] is { } n ? reader.String(n, null, field + ".name") : null) ?? externalName;
            result[key.Value] = new VolumeConfig
            {
                Name = name ?? (external ? key.Value : project + "_" + key.Value),
                Driver = volume["driver"] is { } driver ? reader.String(driver, null, field + ".driver") : null,
                DriverOpts = volume["driver_opts"] is { } opts ? reader.StringMap(opts, null, field + ".driver_opts") : ComposeCollections.EmptyMap<string>(),
                Labels = volume["labels"] is { } labels ? reader.StringMap(labels, null, field + ".labels") : ComposeCollections.EmptyMap<string>(),
                External = external,
                Extensions = ExtensionWriter.Extensions(volume),
            };
        }

        return result.ToImmutable();
    }

    public static ImmutableSortedDictionary<string, FileObjectConfig> FileObjects(YamlMapping? section, string kind, string project, LoadContextPaths paths, NodeReader reader)
    {
        var result = ImmutableSortedDictionary.CreateBuilder<string, FileObjectConfig>(StringComparer.Ordinal);
        foreach (var (key, value) in section?.Entries ?? [])
        {
            var field = kind + "." + key.Value;
            if (reader.Mapping(value, null, field) is not { } item)
            {
                reader.Diagnostics.Error(value, null, field, "needs one of file, environment, content or external");
                continue;
            }

            reader.CheckKeys(item, null, field, FileObjectKeys);
            var (external, externalName) = External(item, field, reader);
            var file = item["file"] is { } f ? reader.String(f, null, field + ".file") : null;
            var environment = item["environment"] is { } e ? reader.String(e, null, field + ".environment") : null;
            var content = item["content"] is { } c ? reader.String(c, null, field + ".content") : null;
            var sources = (file is null ? 0 : 1) + (environment is null ? 0 : 1) + (content is null ? 0 : 1) + (external ? 1 : 0);
            if (sources != 1)
            {
                reader.Diagnostics.Error(item, null, field, "needs exactly one of file, environment, content or external");
            }

            var name = (item["name"] is { } n ? reader.String(n, null, field + ".name") : null) ?? externalName;
            result[key.Value] = new FileObjectConfig
            {
                Name = name ?? (external ? key.Value : project + "_" + key.Value),
                File = file is null ? null : paths.Resolve(file),
                Environment = environment,
                EnvironmentValue = environment is null ? null : paths.Variable(environment),
                Content = content,
                External = external,
                Labels = item["labels"] is { } labels ? reader.StringMap(labels, null, field + ".labels") : ComposeCollections.EmptyMap<string>(),
            };
        }

        return result.ToImmutable();
    }

    // "external: true", or the legacy "external: {name: foo}".
    private static (bool External, string? Name) External(YamlMapping mapping, string field, NodeReader reader)
    {
        if (mapping["external"] is not { } node)
        {
            return (false, null);
        }

        if (node is YamlMapping legacy)
        {
            return (true, legacy["name"] is { } n ? reader.String(n, null, field + ".external.name") : null);
        }

        return (reader.Bool(node, null, field + ".external") ?? false, null);
    }
}
