namespace Fleet.Protocol.Selectors;

/// <summary>One comma-separated term of a <see cref="LabelSelector"/>.</summary>
public sealed record LabelRequirement(string Key, SelectorOperator Operator, IReadOnlyList<string> Values)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var present = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            SelectorOperator.Equals => present && value == Values[0],
            SelectorOperator.NotEquals => !present || value != Values[0],
            SelectorOperator.In => present && Values.Contains(value, StringComparer.Ordinal),
            SelectorOperator.NotIn => !present || !Values.Contains(value, StringComparer.Ordinal),
            SelectorOperator.Exists => present,
            SelectorOperator.DoesNotExist => !present,
            _ => throw new InvalidOperationException($"unknown selector operator {Operator}"),
        };
    }

    /// <summary>The canonical text: no spaces except around <c>in</c>/<c>notin</c>.</summary>
    public override string ToString() => Operator switch
    {
        SelectorOperator.Equals => $"{Key}={Values[0]}",
        SelectorOperator.NotEquals => $"{Key}!={Values[0]}",
        SelectorOperator.In => $"{Key} in ({string.Join(',', Values)})",
        SelectorOperator.NotIn => $"{Key} notin ({string.Join(',', Values)})",
        SelectorOperator.Exists => Key,
        SelectorOperator.DoesNotExist => "!" + Key,
        _ => throw new InvalidOperationException($"unknown selector operator {Operator}"),
    };
}
