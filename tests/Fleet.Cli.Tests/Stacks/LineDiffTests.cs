using Fleet.Cli.Stacks;

namespace Fleet.Cli.Tests.Stacks;

public sealed class LineDiffTests
{
    [Fact]
    public void Unified_OfEqualTexts_IsEmpty()
    {
        Assert.Empty(LineDiff.Unified("a\nb\n", "a\nb\n", "web:1", "web:2"));
    }

    [Fact]
    public void Unified_ShowsAChangedLineWithThreeLinesOfContext()
    {
        var old = "services:\n  web:\n    image: web:1\n    ports:\n    - 80:80\n    restart: always\n    user: app\n    init: true\n";
        var changed = old.Replace("image: web:1", "image: web:2", StringComparison.Ordinal);

        var diff = LineDiff.Unified(old, changed, "web:1", "web:2");

        Assert.Equal(
        [
            "--- web:1",
            "+++ web:2",
            "@@ -1,6 +1,6 @@",
            " services:",
            "   web:",
            "-    image: web:1",
            "+    image: web:2",
            "     ports:",
            "     - 80:80",
            "     restart: always",
        ], diff);
    }

    [Fact]
    public void Unified_SplitsChangesFarApartIntoHunks_AndCountsAddedLines()
    {
        var old = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"line {i}"));
        var changed = old.Replace("line 2\n", "line 2\nnew line\n", StringComparison.Ordinal).Replace("line 18", "line eighteen", StringComparison.Ordinal);

        var diff = LineDiff.Unified(old, changed, "a", "b");

        Assert.Equal(2, diff.Count(l => l.StartsWith("@@", StringComparison.Ordinal)));
        Assert.Contains("@@ -1,5 +1,6 @@", diff);
        Assert.Contains("@@ -15,6 +16,6 @@", diff);
        Assert.Contains("+new line", diff);
        Assert.Contains("-line 18", diff);
        Assert.Contains("+line eighteen", diff);
    }
}
