using Fleet.Compose.Loading;
using Fleet.Compose.Yaml;

namespace Fleet.Compose.Interpolation;

/// <summary>
/// Interpolates the values (never the keys) of a parsed tree, as the specification says, so that a
/// value can never change the YAML structure and every error names the scalar's file and line.
/// </summary>
internal static class TreeInterpolator
{
    public static YamlNode Apply(YamlNode root, VariableLookup lookup, DiagnosticBag diagnostics) =>
        Walk(root, lookup, diagnostics, []);

    private static YamlNode Walk(YamlNode node, VariableLookup lookup, DiagnosticBag diagnostics, List<string> path)
    {
        switch (node)
        {
            case YamlScalar scalar:
                if (!scalar.Value.Contains('$', StringComparison.Ordinal))
                {
                    return scalar;
                }

                var (value, error) = Interpolator.Interpolate(scalar.Value, lookup);
                if (error is not null)
                {
                    var (service, field) = Locate(path);
                    diagnostics.Error(scalar, service, field, error);
                    return scalar;
                }

                return scalar.WithValue(value);
            case YamlSequence sequence:
                var items = new List<YamlNode>(sequence.Items.Count);
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    path.Add($"[{i}]");
                    items.Add(Walk(sequence.Items[i], lookup, diagnostics, path));
                    path.RemoveAt(path.Count - 1);
                }

                return new YamlSequence(sequence.Mark, items);
            case YamlMapping mapping:
                var entries = new List<KeyValuePair<YamlScalar, YamlNode>>(mapping.Entries.Count);
                foreach (var (key, value2) in mapping.Entries)
                {
                    path.Add(key.Value);
                    entries.Add(new(key, Walk(value2, lookup, diagnostics, path)));
                    path.RemoveAt(path.Count - 1);
                }

                return new YamlMapping(mapping.Mark, entries);
            default:
                return node;
        }
    }

    private static (string? Service, string? Field) Locate(List<string> path)
    {
        if (path.Count >= 2 && path[0] == "services")
        {
            return (path[1], Render(path.Skip(2)));
        }

        return (null, Render(path));
    }

    private static string? Render(IEnumerable<string> segments)
    {
        var text = "";
        foreach (var segment in segments)
        {
            text += segment.StartsWith('[') || text.Length == 0 ? segment : "." + segment;
        }

        return text.Length == 0 ? null : text;
    }
}
