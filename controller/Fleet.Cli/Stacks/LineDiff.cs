using System.Globalization;

namespace Fleet.Cli.Stacks;

/// <summary>
/// A unified diff of two texts by lines (longest common subsequence, 3 lines of context), as
/// <c>fleet stack diff</c> prints two versions' canonical compose text. Compose files are small, so the
/// quadratic table is fine.
/// </summary>
internal static class LineDiff
{
    private const int Context = 3;

    /// <summary>The diff lines (<c>---</c>, <c>+++</c>, <c>@@</c>, then ' ', '-', '+' lines); empty when the texts are equal.</summary>
    public static IReadOnlyList<string> Unified(string oldText, string newText, string oldName, string newName)
    {
        ArgumentNullException.ThrowIfNull(oldText);
        ArgumentNullException.ThrowIfNull(newText);
        var a = SplitLines(oldText);
        var b = SplitLines(newText);
        var edits = Edits(a, b);
        if (edits.All(e => e.Kind == ' '))
        {
            return [];
        }

        var lines = new List<string> { "--- " + oldName, "+++ " + newName };
        var i = 0;
        while (i < edits.Count)
        {
            if (edits[i].Kind == ' ')
            {
                i++;
                continue;
            }

            // A hunk: the changes that lie within twice the context of each other, with the context around them.
            var start = Math.Max(0, i - Context);
            var last = i;
            for (var j = i + 1; j < edits.Count && j - last - 1 <= 2 * Context; j++)
            {
                if (edits[j].Kind != ' ')
                {
                    last = j;
                }
            }

            var end = Math.Min(edits.Count - 1, last + Context);
            var hunk = edits.Skip(start).Take(end - start + 1).ToArray();
            var oldCount = hunk.Count(e => e.Kind != '+');
            var newCount = hunk.Count(e => e.Kind != '-');
            var oldStart = hunk[0].OldLine + (oldCount > 0 ? 1 : 0);
            var newStart = hunk[0].NewLine + (newCount > 0 ? 1 : 0);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"@@ -{oldStart},{oldCount} +{newStart},{newCount} @@"));
            lines.AddRange(hunk.Select(e => e.Kind + e.Text));
            i = end + 1;
        }

        return lines;
    }

    private static string[] SplitLines(string text) =>
        text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');

    private static List<Edit> Edits(string[] a, string[] b)
    {
        // lcs[i, j]: length of the longest common subsequence of a[i..] and b[j..].
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = string.Equals(a[i], b[j], StringComparison.Ordinal) ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var edits = new List<Edit>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && string.Equals(a[x], b[y], StringComparison.Ordinal))
            {
                edits.Add(new Edit(' ', a[x], x, y));
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                // Removals before additions, as diff -u writes a changed line.
                edits.Add(new Edit('-', a[x], x, y));
                x++;
            }
            else
            {
                edits.Add(new Edit('+', b[y], x, y));
                y++;
            }
        }

        return edits;
    }

    private sealed record Edit(char Kind, string Text, int OldLine, int NewLine);
}
