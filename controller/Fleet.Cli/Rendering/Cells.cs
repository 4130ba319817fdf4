using System.Globalization;
using Fleet.Protocol.Api;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Fleet.Cli.Rendering;

/// <summary>Table cells and short forms shared by the views: plain text that is never read as markup.</summary>
internal static class Cells
{
    public static IRenderable Text(string? value) => new Text(string.IsNullOrEmpty(value) ? "-" : value);

    public static IRenderable Text(string? value, string? color, bool useColor) =>
        useColor && color is not null ? new Text(string.IsNullOrEmpty(value) ? "-" : value, Style.Parse(color)) : Text(value);

    public static string Labels(IReadOnlyDictionary<string, string> labels) =>
        labels.Count == 0 ? "-" : string.Join(',', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    public static string Stacks(IReadOnlyList<StackRef> stacks) =>
        stacks.Count == 0 ? "-" : string.Join(',', stacks.Select(s => s.Version is { } v ? Invariant($"{s.Name}:{v}") : $"{s.Name}@{ShortDigest(s.Digest)}"));

    /// <summary>The first 12 hex digits after <c>sha256:</c>, as docker shortens image ids.</summary>
    public static string ShortDigest(string? digest)
    {
        if (string.IsNullOrEmpty(digest))
        {
            return "-";
        }

        var hex = digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest[7..] : digest;
        return hex.Length > 12 ? hex[..12] : hex;
    }

    public static string Number(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";

    /// <summary>The colour a phase or state reads in: green done, red failed, yellow on its way.</summary>
    public static string? ColorOf(string? phaseOrState) => phaseOrState switch
    {
        "committed" or "completed" or "online" => "green",
        "failed" or "rolled-back" or "rejected" or "aborted" or "offline" => "red",
        "paused" or "rolling-back" => "yellow",
        null or "idle" or "pending" => null,
        _ => "blue",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
