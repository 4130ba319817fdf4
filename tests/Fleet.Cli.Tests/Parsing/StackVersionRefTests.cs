using Fleet.Cli.Parsing;

namespace Fleet.Cli.Tests.Parsing;

public sealed class StackVersionRefTests
{
    [Theory]
    [InlineData("web", "web", null)]
    [InlineData("web:3", "web", 3)]
    [InlineData("web:latest", "web", null)]
    [InlineData("shop_db-2:12", "shop_db-2", 12)]
    public void Parse_SplitsNameAndVersion(string text, string name, int? version)
    {
        var parsed = StackVersionRef.Parse(text);

        Assert.True(parsed.Succeeded, parsed.Error);
        Assert.Equal(new StackVersionRef(name, version), parsed.Value);
    }

    [Theory]
    [InlineData("web:0", "version")]
    [InlineData("web:x", "version")]
    [InlineData("web:-1", "version")]
    [InlineData(":3", "1 to 63 characters")]
    [InlineData("Web", "may hold only")]
    [InlineData("-web", "may hold only")]
    [InlineData("web/api:2", "may hold only")]
    public void Parse_RefusesBadNamesAndVersions_SayingWhy(string text, string reason)
    {
        var parsed = StackVersionRef.Parse(text);

        Assert.False(parsed.Succeeded);
        Assert.Contains(reason, parsed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_WritesWhatParseReads()
    {
        Assert.Equal("web:3", new StackVersionRef("web", 3).ToString());
        Assert.Equal("web", new StackVersionRef("web", null).ToString());
    }
}
