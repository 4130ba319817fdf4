using System.Globalization;

namespace Fleet.Cli.Rendering;

/// <summary>Times as people scan a table: <c>12s ago</c>, <c>5m ago</c>, <c>3h ago</c>, <c>2d ago</c>.</summary>
internal static class Ago
{
    public static string Format(DateTimeOffset? time, DateTimeOffset now)
    {
        if (time is not { } t)
        {
            return "-";
        }

        var age = now - t;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalSeconds < 60 ? Invariant($"{(int)age.TotalSeconds}s ago")
            : age.TotalMinutes < 60 ? Invariant($"{(int)age.TotalMinutes}m ago")
            : age.TotalHours < 48 ? Invariant($"{(int)age.TotalHours}h ago")
            : Invariant($"{(int)age.TotalDays}d ago");
    }

    /// <summary>An absolute time, UTC, to the second: <c>2026-11-28 18:23:28Z</c>.</summary>
    public static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
