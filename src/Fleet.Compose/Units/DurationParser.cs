using System.Globalization;

namespace Fleet.Compose.Units;

/// <summary>Durations as the Compose Specification writes them (Go's format): "1m30s", "500ms", "1h", "1.5s".</summary>
internal static class DurationParser
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var s = text.Trim();
        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            return false;
        }

        decimal totalTicks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            decimal? ticksPerUnit = s[unitStart..i] switch
            {
                "ns" => 0.01m,
                "us" or "µs" => 10m,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => null,
            };
            if (ticksPerUnit is null)
            {
                return false;
            }

            if (number > TimeSpan.MaxValue.Ticks / ticksPerUnit.Value)
            {
                return false;
            }

            totalTicks += number * ticksPerUnit.Value;
            if (totalTicks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)totalTicks);
        return true;
    }

    /// <summary>Go's rendering ("1m30s", "500ms", "0s"), as <c>docker compose config</c> prints durations.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var ticks = value.Ticks;
        var sign = ticks < 0 ? "-" : "";
        ticks = Math.Abs(ticks);
        if (ticks < TimeSpan.TicksPerSecond)
        {
            return ticks % TimeSpan.TicksPerMillisecond == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{sign}{ticks / TimeSpan.TicksPerMillisecond}ms")
                : string.Create(CultureInfo.InvariantCulture, $"{sign}{ticks / 10m}µs");
        }

        var text = sign;
        var hours = ticks / TimeSpan.TicksPerHour;
        var minutes = ticks % TimeSpan.TicksPerHour / TimeSpan.TicksPerMinute;
        var seconds = (decimal)(ticks % TimeSpan.TicksPerMinute) / TimeSpan.TicksPerSecond;
        if (hours > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (hours > 0 || minutes > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"{minutes}m");
        }

        return text + seconds.ToString("0.#######", CultureInfo.InvariantCulture) + "s";
    }
}
