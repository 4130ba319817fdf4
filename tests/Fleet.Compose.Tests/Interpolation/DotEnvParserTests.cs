using Fleet.Compose.Interpolation;

namespace Fleet.Compose.Tests.Interpolation;

public class DotEnvParserTests
{
    [Fact]
    public void Parse_ReadsQuotesCommentsExportAndBareKeys()
    {
        var (entries, errors) = DotEnvParser.Parse(
            """
            # comment
            export A=1
            B = two words # trailing comment
            C='single $A "kept"'
            D="double ${A}\nline"
            E=
            F
            G=a#b
            """,
            _ => null);

        Assert.Empty(errors);
        var values = entries.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal("1", values["A"]);
        Assert.Equal("two words", values["B"]);
        Assert.Equal("single $A \"kept\"", values["C"]);
        Assert.Equal("double 1\nline", values["D"]);
        Assert.Equal("", values["E"]);
        Assert.Null(values["F"]);
        Assert.Equal("a#b", values["G"]);
    }

    [Fact]
    public void Parse_WithUnterminatedQuote_ReportsTheLine()
    {
        var (_, errors) = DotEnvParser.Parse("A=1\nB=\"open\n", _ => null);

        Assert.Equal(2, Assert.Single(errors).Line);
    }
}
