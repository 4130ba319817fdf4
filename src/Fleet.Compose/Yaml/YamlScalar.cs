namespace Fleet.Compose.Yaml;

internal sealed class YamlScalar : YamlNode
{
    public YamlScalar(SourceMark mark, string value, bool isPlain)
        : this(mark, value, isPlain, isPlain && value is "" or "~" or "null" or "Null" or "NULL")
    {
    }

    private YamlScalar(SourceMark mark, string value, bool isPlain, bool isNull)
        : base(mark)
    {
        Value = value;
        IsPlain = isPlain;
        IsNull = isNull;
    }

    public string Value { get; }

    /// <summary>Unquoted: only plain scalars can be null, booleans or numbers.</summary>
    public bool IsPlain { get; }

    /// <summary>Decided when parsed: "${EMPTY}" interpolated to "" is an empty string, not null (as in compose-go).</summary>
    public bool IsNull { get; }

    public override long Size => 1;

    public override string KindName => IsNull ? "null" : "a string";

    public YamlScalar WithValue(string value) => new(Mark, value, IsPlain, isNull: false);
}
