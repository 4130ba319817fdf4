using Fleet.Protocol.Serialization;

namespace Fleet.Protocol.Selectors;

/// <summary>
/// A selector over device labels, as rollouts and bundles target devices:
/// <c>site=berlin,tier!=canary</c>, <c>key in (a,b)</c>, <c>key notin (a,b)</c>, <c>key</c>, <c>!key</c>.
/// Terms are ANDed; the empty selector matches every device. Keys are
/// <c>[A-Za-z0-9][A-Za-z0-9._/-]{0,62}</c>, values <c>[A-Za-z0-9][A-Za-z0-9._-]{0,62}</c>.
/// </summary>
public sealed record LabelSelector
{
    private LabelSelector(IReadOnlyList<LabelRequirement> requirements) => Requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public IReadOnlyList<LabelRequirement> Requirements { get; }

    public static ParseResult<LabelSelector> Parse(string? text)
    {
        if (text is null)
        {
            return ParseResult<LabelSelector>.Failed("selector is null");
        }

        var parser = new SelectorParser(text);
        var requirements = parser.ParseAll(out var error);
        return requirements is null
            ? ParseResult<LabelSelector>.Failed($"selector '{text}': {error}")
            : ParseResult<LabelSelector>.Success(requirements.Count == 0 ? Everything : new LabelSelector(requirements));
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        foreach (var requirement in Requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => string.Join(',', Requirements);
}
