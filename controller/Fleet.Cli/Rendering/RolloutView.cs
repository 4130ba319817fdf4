using System.Globalization;
using System.Text;
using Fleet.Cli.Output;
using Fleet.Cli.Parsing;
using Fleet.Protocol.Api;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Fleet.Cli.Rendering;

/// <summary>
/// A rollout as <c>rollout show</c>, <c>rollout watch</c> and <c>deploy --wait</c> draw it: a header, then a
/// bar per wave (done, failed, in progress, waiting) with its counts per phase. Pure: the same rollout
/// gives the same text, so a test can render it at a fixed width and read it.
/// </summary>
internal static class RolloutView
{
    public const int BarWidth = 30;

    public static IRenderable Render(RolloutInfo rollout, bool color)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var lines = new List<IRenderable>
        {
            new Text($"rollout {rollout.Id}  {rollout.Stack}:{rollout.Version.ToString(CultureInfo.InvariantCulture)} -> {Target(rollout.Target)}"),
            new Markup(
                $"state {Colored(rollout.State, Cells.ColorOf(rollout.State), color)}  " +
                Markup.Escape($"waves {string.Join(',', rollout.WavePlan)}  max failures {rollout.MaxFailures}  " +
                              $"wave timeout {DurationText.Format(TimeSpan.FromSeconds(rollout.WaveTimeoutSeconds))}")),
        };
        foreach (var wave in rollout.Waves)
        {
            var (done, total) = Progress(wave);
            lines.Add(new Markup(
                Markup.Escape($"wave {wave.Number,-2} ") +
                Colored($"{wave.State,-10}", Cells.ColorOf(wave.State), color) + " " +
                Bar(wave.Counts, total, color) +
                Markup.Escape($" {done,4}/{total}")));
            lines.Add(new Text("          " + CountsText(wave.Counts)));
        }

        if (!string.IsNullOrEmpty(rollout.Reason))
        {
            lines.Add(new Text("reason: " + rollout.Reason));
        }

        return new Rows(lines);
    }

    /// <summary>One line per wave for a log or a pipe: <c>wave 2 running: committed 4, applying 6</c>.</summary>
    public static IReadOnlyList<string> Summary(RolloutInfo rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        return rollout.Waves.Select(w => $"wave {w.Number.ToString(CultureInfo.InvariantCulture)} {w.State}: {CountsText(w.Counts)}").ToArray();
    }

    /// <summary>The last line of a watch: how the rollout ended, and why when it did not complete.</summary>
    public static string Outcome(RolloutInfo rollout)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var text = $"rollout {rollout.Id} {rollout.State}";
        return string.IsNullOrEmpty(rollout.Reason) ? text : $"{text}: {rollout.Reason}";
    }

    /// <summary>Counts in a fixed order, only those above zero: <c>committed 4, applying 3, pending 3</c>.</summary>
    public static string CountsText(PhaseCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var parts = new (string Name, int Count)[]
        {
            ("committed", counts.Committed), ("verifying", counts.Verifying), ("applying", counts.Applying),
            ("downloading", counts.Downloading), ("pending", counts.Pending), ("failed", counts.Failed),
            ("rolled back", counts.RolledBack), ("offline", counts.Offline),
        }.Where(p => p.Count > 0).Select(p => $"{p.Name} {p.Count.ToString(CultureInfo.InvariantCulture)}").ToArray();
        return parts.Length == 0 ? "no devices yet" : string.Join(", ", parts);
    }

    private static (int Done, int Total) Progress(WaveInfo wave)
    {
        var c = wave.Counts;
        var counted = c.Pending + c.Downloading + c.Applying + c.Verifying + c.Committed + c.Failed + c.RolledBack + c.Offline;
        return (c.Committed, Math.Max(counted, wave.Devices.Count));
    }

    private static string Bar(PhaseCounts c, int total, bool color)
    {
        // Segments in order: done, failed, on their way, waiting; each rounded on the running sum so the widths add up.
        var segments = new (int Count, char Plain, string Color)[]
        {
            (c.Committed, '#', "green"), (c.Failed + c.RolledBack, '!', "red"),
            (c.Downloading + c.Applying + c.Verifying, '=', "blue"),
        };
        var bar = new StringBuilder(color ? "" : "[");
        var sum = 0;
        var drawn = 0;
        foreach (var (count, plain, segmentColor) in segments)
        {
            sum += count;
            var end = total == 0 ? 0 : (int)Math.Round((double)sum / total * BarWidth, MidpointRounding.AwayFromZero);
            var width = Math.Max(0, end - drawn);
            if (width > 0)
            {
                bar.Append(color ? $"[{segmentColor}]{new string('█', width)}[/]" : new string(plain, width));
            }

            drawn += width;
        }

        var rest = BarWidth - drawn;
        bar.Append(color ? $"[grey]{new string('░', rest)}[/]" : new string('-', rest) + "]");
        return color ? bar.ToString() : Markup.Escape(bar.ToString());
    }

    private static string Colored(string text, string? color, bool useColor) =>
        useColor && color is not null ? $"[{color}]{Markup.Escape(text)}[/]" : Markup.Escape(text);

    private static string Target(string target) => string.IsNullOrEmpty(target) ? "all devices" : target;

    /// <summary>The rollouts of <c>rollout ls</c>, newest first as the controller sends them.</summary>
    public static Table List(IReadOnlyList<RolloutInfo> rollouts, DateTimeOffset now, CliOutput output)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        ArgumentNullException.ThrowIfNull(output);
        var table = output.Table("ROLLOUT", "STACK", "TARGET", "STATE", "WAVES", "UPDATED");
        foreach (var rollout in rollouts)
        {
            var done = rollout.Waves.Count(w => w.State == "completed");
            table.AddRow(
                Cells.Text(rollout.Id),
                Cells.Text($"{rollout.Stack}:{rollout.Version.ToString(CultureInfo.InvariantCulture)}"),
                Cells.Text(Target(rollout.Target)),
                Cells.Text(rollout.State, Cells.ColorOf(rollout.State), output.Color),
                Cells.Text($"{done.ToString(CultureInfo.InvariantCulture)}/{rollout.Waves.Count.ToString(CultureInfo.InvariantCulture)}"),
                Cells.Text(Ago.Format(rollout.UpdatedAt, now)));
        }

        return table;
    }
}
