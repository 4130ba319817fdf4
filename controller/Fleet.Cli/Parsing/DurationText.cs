using System.Globalization;

namespace Fleet.Cli.Parsing;

/// <summary>
/// Durations as operators type them: <c>30s</c>, <c>10m</c>, <c>24h</c>, <c>7d</c>, or several together
/// (<c>1h30m</c>). Whole numbers only: a fraction of a second means nothing to a rollout or a log tail.
/// </summary>
internal static class DurationText
{
    /// <summary>False with <paramref name="error"/> (one line, with examples) when the text is not a duration.</summary>
    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = $"'{text}' is not a duration (e.g. 30s, 10m, 24h, 7d, 1h30m)";
        var s = text?.Trim() ?? "";
        if (s.Length == 0)
        {
            return false;
        }

        long seconds = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            if (i == start || i == s.Length ||
                !long.TryParse(s.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            long? unit = s[i] switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86400,
                _ => null,
            };
            i++;
            if (unit is null || number > (long.MaxValue / TimeSpan.TicksPerSecond - seconds) / unit.Value)
            {
                return false;
            }

            seconds += number * unit.Value;
        }

        value = TimeSpan.FromSeconds(seconds);
        error = "";
        return true;
    }

    /// <summary>The shortest form that parses back: <c>10m</c>, <c>1h30m</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        var seconds = (long)value.TotalSeconds;
        if (seconds <= 0)
        {
            return "0s";
        }

        var text = "";
        foreach (var (unit, size) in new[] { ("d", 86400L), ("h", 3600L), ("m", 60L), ("s", 1L) })
        {
            if (seconds >= size)
            {
                text += (seconds / size).ToString(CultureInfo.InvariantCulture) + unit;
                seconds %= size;
            }
        }

        return text;
    }
}
