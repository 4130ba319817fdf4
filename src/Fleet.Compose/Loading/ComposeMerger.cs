using Fleet.Compose.Yaml;

namespace Fleet.Compose.Loading;

/// <summary>
/// Merges compose files in order (<c>-f a.yaml -f b.yaml</c>) with the specification's rules
/// (compose-spec "merge.md"): mappings merge key by key, scalars and command-like lists are replaced,
/// lists of ports, dns and the like are appended, and mounts, devices, configs and secrets are
/// replaced by target. Works on trees so that every node keeps the file and line it came from.
/// </summary>
internal static class ComposeMerger
{
    private static readonly HashSet<string> MappingLike = ["environment", "labels", "sysctls", "depends_on", "networks", "annotations"];

    private static readonly HashSet<string> Appended =
        ["ports", "expose", "dns", "dns_search", "dns_opt", "tmpfs", "cap_add", "cap_drop", "security_opt", "profiles", "group_add", "device_cgroup_rules", "env_file", "extra_hosts", "external_links", "links", "volumes_from"];

    private static readonly HashSet<string> ByTarget = ["volumes", "devices", "configs", "secrets"];

    public static YamlMapping Merge(YamlMapping first, YamlMapping second)
    {
        var entries = first.Entries.ToList();
        foreach (var (key, value) in second.Entries)
        {
            var at = entries.FindIndex(e => e.Key.Value == key.Value);
            if (at < 0)
            {
                entries.Add(new(key, value));
                continue;
            }

            var existing = entries[at].Value;
            entries[at] = new(entries[at].Key, key.Value switch
            {
                "services" when existing is YamlMapping a && value is YamlMapping b => MergeEach(a, b, MergeService),
                "networks" or "volumes" or "configs" or "secrets" when existing is YamlMapping a && value is YamlMapping b => MergeEach(a, b, Deep),
                _ => value,
            });
        }

        return new YamlMapping(first.Mark, entries);
    }

    private static YamlMapping MergeEach(YamlMapping first, YamlMapping second, Func<YamlNode, YamlNode, YamlNode> merge)
    {
        var entries = first.Entries.ToList();
        foreach (var (key, value) in second.Entries)
        {
            var at = entries.FindIndex(e => e.Key.Value == key.Value);
            if (at < 0)
            {
                entries.Add(new(key, value));
            }
            else
            {
                entries[at] = new(entries[at].Key, merge(entries[at].Value, value));
            }
        }

        return new YamlMapping(first.Mark, entries);
    }

    private static YamlNode MergeService(YamlNode first, YamlNode second)
    {
        if (first is not YamlMapping a || second is not YamlMapping b)
        {
            return second;
        }

        var entries = a.Entries.ToList();
        foreach (var (key, value) in b.Entries)
        {
            var at = entries.FindIndex(e => e.Key.Value == key.Value);
            if (at < 0)
            {
                entries.Add(new(key, value));
                continue;
            }

            var existing = entries[at].Value;
            YamlNode merged;
            if (MappingLike.Contains(key.Value))
            {
                merged = Deep(AsMapping(existing), AsMapping(value));
            }
            else if (Appended.Contains(key.Value) && existing is YamlSequence s1 && value is YamlSequence s2)
            {
                merged = Append(s1, s2);
            }
            else if (ByTarget.Contains(key.Value) && existing is YamlSequence t1 && value is YamlSequence t2)
            {
                merged = ReplaceByTarget(key.Value, t1, t2);
            }
            else if (key.Value is "command" or "entrypoint")
            {
                merged = value;
            }
            else
            {
                merged = Deep(existing, value);
            }

            entries[at] = new(entries[at].Key, merged);
        }

        return new YamlMapping(a.Mark, entries);
    }

    private static YamlNode Deep(YamlNode first, YamlNode second)
    {
        if (first is not YamlMapping a || second is not YamlMapping b)
        {
            return second;
        }

        return MergeEach(a, b, Deep);
    }

    // "environment: [A=1]" and "environment: {A: 1}" merge with each other: turn the list form into a mapping first.
    private static YamlNode AsMapping(YamlNode node)
    {
        if (node is not YamlSequence sequence)
        {
            return node;
        }

        var entries = new List<KeyValuePair<YamlScalar, YamlNode>>();
        foreach (var item in sequence.Items)
        {
            if (item is YamlMapping)
            {
                return node;
            }

            if (item is not YamlScalar scalar)
            {
                return node;
            }

            var at = scalar.Value.IndexOf('=', StringComparison.Ordinal);
            var key = at < 0 ? scalar.Value : scalar.Value[..at];
            YamlNode value = at < 0 ? new YamlScalar(scalar.Mark, "", isPlain: true) : new YamlScalar(scalar.Mark, scalar.Value[(at + 1)..], isPlain: false);
            entries.RemoveAll(e => e.Key.Value == key);
            entries.Add(new(new YamlScalar(scalar.Mark, key, isPlain: false), value));
        }

        return new YamlMapping(sequence.Mark, entries);
    }

    private static YamlSequence Append(YamlSequence first, YamlSequence second)
    {
        var items = first.Items.ToList();
        foreach (var item in second.Items)
        {
            if (item is YamlScalar scalar && items.Any(i => i is YamlScalar s && s.Value == scalar.Value))
            {
                continue;
            }

            items.Add(item);
        }

        return new YamlSequence(first.Mark, items);
    }

    private static YamlSequence ReplaceByTarget(string field, YamlSequence first, YamlSequence second)
    {
        var items = first.Items.ToList();
        foreach (var item in second.Items)
        {
            var key = TargetOf(field, item);
            var at = key is null ? -1 : items.FindIndex(i => TargetOf(field, i) == key);
            if (at < 0)
            {
                items.Add(item);
            }
            else
            {
                items[at] = item;
            }
        }

        return new YamlSequence(first.Mark, items);
    }

    private static string? TargetOf(string field, YamlNode item)
    {
        if (item is YamlMapping mapping)
        {
            return (mapping["target"] ?? mapping["source"]) is YamlScalar s ? s.Value : null;
        }

        if (item is not YamlScalar scalar)
        {
            return null;
        }

        if (field is "configs" or "secrets")
        {
            return scalar.Value;
        }

        var parts = scalar.Value.Split(':');
        return parts.Length >= 2 ? parts[1] : parts[0];
    }
}
