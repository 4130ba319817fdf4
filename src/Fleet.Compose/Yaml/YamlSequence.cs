namespace Fleet.Compose.Yaml;

internal sealed class YamlSequence : YamlNode
{
    public YamlSequence(SourceMark mark, IReadOnlyList<YamlNode> items)
        : base(mark)
    {
        Items = items;
        long size = 1;
        foreach (var item in items)
        {
            size += item.Size;
        }

        Size = size;
    }

    public IReadOnlyList<YamlNode> Items { get; }

    public override long Size { get; }

    public override string KindName => "a list";
}
