namespace Fleet.Compose.Yaml;

/// <summary>
/// A node of our own YAML tree. We build it from parser events rather than using YamlDotNet's
/// deserializer so that every node keeps its mark, aliases are bounded, and nothing needs reflection.
/// Aliases share the aliased node, so a tree is a DAG; <see cref="Size"/> counts it expanded.
/// </summary>
internal abstract class YamlNode
{
    protected YamlNode(SourceMark mark) => Mark = mark;

    public SourceMark Mark { get; }

    /// <summary>Nodes in this subtree with aliases expanded; what any full walk of it costs.</summary>
    public abstract long Size { get; }

    public abstract string KindName { get; }
}
