using Fleet.Cli.Parsing;

namespace Fleet.Cli.Tests.Parsing;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("10m", 600)]
    [InlineData("24h", 86400)]
    [InlineData("7d", 604800)]
    [InlineData("1h30m", 5400)]
    [InlineData(" 0s ", 0)]
    public void TryParse_ReadsUnitsAndTheirSums(string text, long seconds)
    {
        Assert.True(DurationText.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("m")]
    [InlineData("10x")]
    [InlineData("1.5h")]
    [InlineData("-5m")]
    [InlineData("99999999999999999d")]
    public void TryParse_RefusesWhatIsNotADuration_WithExamples(string text)
    {
        Assert.False(DurationText.TryParse(text, out _, out var error));
        Assert.Contains($"'{text}' is not a duration", error, StringComparison.Ordinal);
        Assert.Contains("10m", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(600, "10m")]
    [InlineData(5400, "1h30m")]
    [InlineData(90061, "1d1h1m1s")]
    public void Format_GivesTheShortestFormThatParsesBack(long seconds, string expected)
    {
        var text = DurationText.Format(TimeSpan.FromSeconds(seconds));

        Assert.Equal(expected, text);
        Assert.True(DurationText.TryParse(text, out var back, out _));
        Assert.Equal(TimeSpan.FromSeconds(seconds), back);
    }
}
