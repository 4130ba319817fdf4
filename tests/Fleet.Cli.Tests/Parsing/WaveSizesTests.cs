using Fleet.Cli.Parsing;

namespace Fleet.Cli.Tests.Parsing;

public sealed class WaveSizesTests
{
    [Theory]
    [InlineData("1,10%,100%", new[] { "1", "10%", "100%" })]
    [InlineData("100%", new[] { "100%" })]
    [InlineData("1,5,25%", new[] { "1", "5", "25%", "100%" })]
    [InlineData(" 2 , 50% ", new[] { "2", "50%", "100%" })]
    public void ParsePlan_KeepsTheSizesAndEndsAt100Percent(string text, string[] expected)
    {
        var parsed = WaveSizes.ParsePlan(text);

        Assert.True(parsed.Succeeded, parsed.Error);
        Assert.Equal(expected, parsed.Value);
    }

    [Theory]
    [InlineData("10%,5%", "must grow")]
    [InlineData("3,3", "must grow")]
    [InlineData("0", "is not a count")]
    [InlineData("150%", "is not a count")]
    [InlineData("1,,100%", "is not a count")]
    [InlineData("ten", "is not a count")]
    public void ParsePlan_RefusesPlansThatCannotBeRolledOut(string text, string reason)
    {
        var parsed = WaveSizes.ParsePlan(text);

        Assert.False(parsed.Succeeded);
        Assert.Contains(reason, parsed.Error, StringComparison.Ordinal);
        Assert.StartsWith("--waves", parsed.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("3")]
    [InlineData("10%")]
    [InlineData("0%")]
    public void ParseBudget_TakesCountsAndPercentagesFromZero(string text)
    {
        var parsed = WaveSizes.ParseBudget(text);

        Assert.True(parsed.Succeeded, parsed.Error);
        Assert.Equal(text, parsed.Value);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("101%")]
    [InlineData("a lot")]
    public void ParseBudget_RefusesOthers(string text)
    {
        Assert.False(WaveSizes.ParseBudget(text).Succeeded);
    }
}
