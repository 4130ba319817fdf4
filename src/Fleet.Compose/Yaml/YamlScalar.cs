namespace Fleet.Compose.Yaml;

internal sealed class YamlScalar : YamlNode
{
    public YamlScalar(SourceMark mark, string value, bool isPlain)
        : base(mark)
    {
        Value = value;
        IsPlain = isPlain;
    }

    public string Value { get; }

    /// <summary>Unquoted: only plain scalars can be null, booleans or numbers.</summary>
    public bool IsPlain { get; }

    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override long Size => 1;

    public override string KindName => IsNull ? "null" : "a string";

    public YamlScalar WithValue(string value) => new(Mark, value, IsPlain);
}
