namespace Fleet.Compose.Yaml;

internal sealed class YamlMapping : YamlNode
{
    public YamlMapping(SourceMark mark, IReadOnlyList<KeyValuePair<YamlScalar, YamlNode>> entries)
        : base(mark)
    {
        Entries = entries;
        long size = 1;
        foreach (var entry in entries)
        {
            size += 1 + entry.Value.Size;
        }

        Size = size;
    }

    /// <summary>In file order, keys unique, merge keys already applied.</summary>
    public IReadOnlyList<KeyValuePair<YamlScalar, YamlNode>> Entries { get; }

    public override long Size { get; }

    public override string KindName => "a mapping";

    public YamlNode? this[string key]
    {
        get
        {
            foreach (var entry in Entries)
            {
                if (entry.Key.Value == key)
                {
                    return entry.Value;
                }
            }

            return null;
        }
    }

    public YamlScalar? KeyNode(string key)
    {
        foreach (var entry in Entries)
        {
            if (entry.Key.Value == key)
            {
                return entry.Key;
            }
        }

        return null;
    }
}
