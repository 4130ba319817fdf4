namespace Fleet.Protocol.Topics;

/// <summary>One topic level that is neither empty nor a wildcard, and holds no control characters.</summary>
internal static class TopicLevel
{
    public static string? Validate(string? level)
    {
        if (string.IsNullOrEmpty(level))
        {
            return "a topic level is empty";
        }

        foreach (var c in level)
        {
            if (c is '/' or '+' or '#' or '$' || char.IsControl(c))
            {
                return $"topic level '{level.Replace("\0", "?", StringComparison.Ordinal)}' holds a wildcard, '$', '/' or a control character";
            }
        }

        return null;
    }
}
