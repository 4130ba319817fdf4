using Fleet.Cli.Parsing;

namespace Fleet.Cli.Tests.Parsing;

public sealed class LabelArgumentsTests
{
    [Fact]
    public void ParsePairs_TakesCommaListsAndSeveralArguments()
    {
        var parsed = LabelArguments.ParsePairs(["site=berlin,tier=canary", "rack=7"]);

        Assert.True(parsed.Succeeded, parsed.Error);
        Assert.Equal(new Dictionary<string, string> { ["rack"] = "7", ["site"] = "berlin", ["tier"] = "canary" }, parsed.Value);
    }

    [Theory]
    [InlineData("site")]
    [InlineData("=berlin")]
    [InlineData("site=ber lin")]
    [InlineData("site=-x")]
    public void ParsePairs_RefusesWhatIsNotALabel(string text)
    {
        var parsed = LabelArguments.ParsePairs([text]);

        Assert.False(parsed.Succeeded);
        Assert.Contains("is not a label k=v", parsed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseUpdate_SetsWithEqualsAndRemovesWithTrailingDash()
    {
        var parsed = LabelArguments.ParseUpdate(["tier=canary", "old-", "site=paris"]);

        Assert.True(parsed.Succeeded, parsed.Error);
        Assert.Equal(new Dictionary<string, string> { ["site"] = "paris", ["tier"] = "canary" }, parsed.Value.Set);
        Assert.Equal(["old"], parsed.Value.Remove);
    }

    [Fact]
    public void ParseUpdate_WithNothingToDo_IsRefused()
    {
        Assert.False(LabelArguments.ParseUpdate([]).Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("site=berlin")]
    [InlineData("site=berlin,tier!=canary")]
    [InlineData("site in (berlin,paris),!legacy")]
    public void ValidateSelector_AcceptsTheControllersSyntax(string selector)
    {
        Assert.Null(LabelArguments.ValidateSelector(selector));
    }

    [Theory]
    [InlineData("site=")]
    [InlineData("site in berlin")]
    [InlineData("site==berlin,,")]
    public void ValidateSelector_SaysWhatIsWrong(string selector)
    {
        var error = LabelArguments.ValidateSelector(selector);

        Assert.NotNull(error);
        Assert.Contains($"selector '{selector}'", error, StringComparison.Ordinal);
    }
}
