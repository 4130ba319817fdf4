using Fleet.Protocol.Selectors;

namespace Fleet.Controller.Tokens;

/// <summary>Label keys and values as selectors can match them (see <see cref="LabelSelector"/>).</summary>
public static class Labels
{
    /// <summary>The first bad key or value, named with <paramref name="field"/>; null when all are good.</summary>
    public static string? Validate(IReadOnlyDictionary<string, string>? labels, string field)
    {
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            if (ValidateKey(key) is { } badKey)
            {
                return $"{field}: {badKey}";
            }

            if (!IsValue(value))
            {
                return $"{field}.{key}: value '{value}' must match [A-Za-z0-9][A-Za-z0-9._-]{{0,62}}";
            }
        }

        return null;
    }

    public static string? ValidateKey(string key) =>
        IsToken(key, allowSlash: true) ? null : $"label key '{key}' must match [A-Za-z0-9][A-Za-z0-9._/-]{{0,62}}";

    private static bool IsValue(string value) => IsToken(value, allowSlash: false);

    private static bool IsToken(string text, bool allowSlash)
    {
        if (text.Length is 0 or > 63 || !char.IsAsciiLetterOrDigit(text[0]))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' || (allowSlash && c == '/')))
            {
                return false;
            }
        }

        return true;
    }
}
