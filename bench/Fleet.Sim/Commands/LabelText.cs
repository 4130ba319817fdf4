namespace Fleet.Sim.Commands;

/// <summary><c>k=v,k2=v2</c> from the command line; null when a pair has no <c>=</c> or an empty key.</summary>
public static class LabelText
{
    public static IReadOnlyDictionary<string, string>? TryParse(string? text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return labels;
        }

        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return null;
            }

            labels[pair[..equals]] = pair[(equals + 1)..];
        }

        return labels;
    }
}
