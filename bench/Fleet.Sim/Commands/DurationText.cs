using System.Globalization;

namespace Fleet.Sim.Commands;

/// <summary>Durations on the command line: <c>100ms</c>, <c>2s</c>, <c>1m</c>, <c>0</c>, or a TimeSpan (<c>00:00:02</c>).</summary>
public static class DurationText
{
    public static TimeSpan? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        (string Suffix, double Ticks)[] units = [("ms", TimeSpan.TicksPerMillisecond), ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute)];
        foreach (var (suffix, ticks) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0)
            {
                return TimeSpan.FromTicks((long)(value * ticks));
            }
        }

        if (text == "0")
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? span : null;
    }
}
