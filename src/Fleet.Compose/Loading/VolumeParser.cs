using System.Collections.Immutable;
using Fleet.Compose.Model;
using Fleet.Compose.Yaml;

namespace Fleet.Compose.Loading;

/// <summary>Service mounts in short syntax <c>[SOURCE:]TARGET[:MODE]</c> and long syntax, bind sources resolved to absolute paths.</summary>
internal static class VolumeParser
{
    private static readonly string[] LongKeys = ["type", "source", "target", "read_only", "bind", "volume", "tmpfs", "consistency", "image"];
    private static readonly string[] BindKeys = ["propagation", "create_host_path", "selinux"];
    private static readonly string[] VolumeKeys = ["nocopy", "subpath"];
    private static readonly string[] TmpfsKeys = ["size", "mode"];
    private static readonly HashSet<string> Propagations = ["shared", "rshared", "slave", "rslave", "private", "rprivate"];

    public static ImmutableArray<ServiceVolume> Read(YamlNode node, string service, LoadContext context)
    {
        if (node is YamlScalar { IsNull: true })
        {
            return [];
        }

        if (node is not YamlSequence sequence)
        {
            context.Diagnostics.Error(node, service, "volumes", $"must be a list, not {node.KindName}");
            return [];
        }

        var volumes = ImmutableArray.CreateBuilder<ServiceVolume>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var item = sequence.Items[i];
            var field = NodeReader.Index("volumes", i);
            var volume = item is YamlMapping mapping ? ReadLong(mapping, service, field, context)
                : context.Reader.String(item, service, field) is { } text ? ReadShort(item, text, service, field, context)
                : null;
            if (volume is null)
            {
                continue;
            }

            if (volume.Type == "volume" && volume.Source is not null && !context.Volumes.Contains(volume.Source))
            {
                context.Diagnostics.Error(item, service, field, $"volume \"{volume.Source}\" is not declared under the top-level volumes:");
            }

            volumes.Add(volume);
        }

        return volumes.ToImmutable();
    }

    private static bool IsPath(string source) => source.StartsWith('.') || source.StartsWith('/') || source.StartsWith('~');

    private static ServiceVolume? ReadShort(YamlNode node, string text, string service, string field, LoadContext context)
    {
        var parts = text.Split(':');
        if (parts.Length == 1)
        {
            return new ServiceVolume { Type = "volume", Target = parts[0], Volume = new ServiceVolumeOptions() };
        }

        if (parts.Length > 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            context.Diagnostics.Error(node, service, field, $"invalid volume \"{text}\": expected [SOURCE:]TARGET[:MODE]");
            return null;
        }

        var (source, target) = (parts[0], parts[1]);
        var readOnly = false;
        var noCopy = false;
        string? selinux = null;
        string? propagation = null;
        if (parts.Length == 3)
        {
            foreach (var option in parts[2].Split(','))
            {
                switch (option)
                {
                    case "ro":
                        readOnly = true;
                        break;
                    case "rw":
                        break;
                    case "z" or "Z":
                        selinux = option;
                        break;
                    case "nocopy":
                        noCopy = true;
                        break;
                    case var p when Propagations.Contains(p):
                        propagation = p;
                        break;
                    default:
                        context.Diagnostics.Error(node, service, field, $"invalid volume mode \"{option}\" in \"{text}\": use ro, rw, z, Z, nocopy or a propagation such as rshared");
                        return null;
                }
            }
        }

        if (IsPath(source))
        {
            return new ServiceVolume
            {
                Type = "bind",
                Source = context.ResolvePath(source),
                Target = target,
                ReadOnly = readOnly,
                Bind = new ServiceVolumeBind { CreateHostPath = true, SELinux = selinux, Propagation = propagation },
            };
        }

        return new ServiceVolume { Type = "volume", Source = source, Target = target, ReadOnly = readOnly, Volume = new ServiceVolumeOptions { NoCopy = noCopy } };
    }

    private static ServiceVolume? ReadLong(YamlMapping mapping, string service, string field, LoadContext context)
    {
        var reader = context.Reader;
        reader.CheckKeys(mapping, service, field, LongKeys);
        var type = mapping["type"] is { } typeNode ? reader.String(typeNode, service, field + ".type") : null;
        type ??= "volume";
        if (type is not ("volume" or "bind" or "tmpfs" or "npipe"))
        {
            context.Diagnostics.Error(mapping["type"]!, service, field + ".type", $"invalid type \"{type}\": must be volume, bind, tmpfs or npipe");
            return null;
        }

        var target = mapping["target"] is { } targetNode ? reader.String(targetNode, service, field + ".target") : null;
        if (string.IsNullOrEmpty(target))
        {
            context.Diagnostics.Error(mapping, service, field, "a mount in long syntax needs \"target\"");
            return null;
        }

        var source = mapping["source"] is { } sourceNode ? reader.String(sourceNode, service, field + ".source") : null;
        if (type == "bind")
        {
            if (string.IsNullOrEmpty(source))
            {
                context.Diagnostics.Error(mapping, service, field, "a bind mount needs \"source\"");
                return null;
            }

            source = context.ResolvePath(source);
        }

        ServiceVolumeBind? bind = null;
        if (type == "bind")
        {
            bind = new ServiceVolumeBind();
            if (mapping["bind"] is { } bindNode && reader.Mapping(bindNode, service, field + ".bind") is { } b)
            {
                reader.CheckKeys(b, service, field + ".bind", BindKeys);
                var propagationNode = b["propagation"];
                var propagation = propagationNode is null ? null : reader.String(propagationNode, service, field + ".bind.propagation");
                if (propagation is not null && !Propagations.Contains(propagation))
                {
                    context.Diagnostics.Error(propagationNode!, service, field + ".bind.propagation", $"invalid propagation \"{propagation}\": use shared, rshared, slave, rslave, private or rprivate");
                }

                bind = new ServiceVolumeBind
                {
                    Propagation = propagation,
                    CreateHostPath = b["create_host_path"] is { } c ? reader.Bool(c, service, field + ".bind.create_host_path") ?? true : true,
                    SELinux = b["selinux"] is { } s ? reader.String(s, service, field + ".bind.selinux") : null,
                };
            }
        }

        ServiceVolumeOptions? volume = null;
        if (type == "volume")
        {
            volume = new ServiceVolumeOptions();
            if (mapping["volume"] is { } volumeNode && reader.Mapping(volumeNode, service, field + ".volume") is { } v)
            {
                reader.CheckKeys(v, service, field + ".volume", VolumeKeys);
                volume = new ServiceVolumeOptions
                {
                    NoCopy = v["nocopy"] is { } n && (reader.Bool(n, service, field + ".volume.nocopy") ?? false),
                    Subpath = v["subpath"] is { } sp ? reader.String(sp, service, field + ".volume.subpath") : null,
                };
            }
        }

        ServiceVolumeTmpfs? tmpfs = null;
        if (type == "tmpfs")
        {
            tmpfs = new ServiceVolumeTmpfs();
            if (mapping["tmpfs"] is { } tmpfsNode && reader.Mapping(tmpfsNode, service, field + ".tmpfs") is { } t)
            {
                reader.CheckKeys(t, service, field + ".tmpfs", TmpfsKeys);
                tmpfs = new ServiceVolumeTmpfs
                {
                    SizeBytes = t["size"] is { } size ? reader.Bytes(size, service, field + ".tmpfs.size") : null,
                    Mode = t["mode"] is { } mode ? reader.Mode(mode, service, field + ".tmpfs.mode", alwaysOctal: true) : null,
                };
            }
        }

        return new ServiceVolume
        {
            Type = type,
            Source = string.IsNullOrEmpty(source) ? null : source,
            Target = target,
            ReadOnly = mapping["read_only"] is { } ro && (reader.Bool(ro, service, field + ".read_only") ?? false),
            Bind = bind,
            Volume = volume,
            Tmpfs = tmpfs,
        };
    }
}
