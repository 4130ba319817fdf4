using Fleet.Compose.Units;

namespace Fleet.Compose.Tests.Units;

public class UnitParserTests
{
    [Theory]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2h45m10s", 9_910_000)]
    [InlineData("0", 0)]
    [InlineData("10us", 0.01)]
    public void Duration_Parses(string text, double milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("1x")]
    [InlineData("s")]
    [InlineData("")]
    [InlineData("1m30")]
    public void Duration_WhenInvalid_IsRefused(string text) => Assert.False(DurationParser.TryParse(text, out _));

    [Theory]
    [InlineData("1m30s")]
    [InlineData("500ms")]
    [InlineData("1h0m0s")]
    [InlineData("1.5s")]
    public void Duration_FormatRoundTrips(string text)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(text, DurationParser.Format(value));
    }

    [Theory]
    [InlineData("512", 512L)]
    [InlineData("512b", 512L)]
    [InlineData("1k", 1024L)]
    [InlineData("1kb", 1024L)]
    [InlineData("512m", 536_870_912L)]
    [InlineData("64M", 67_108_864L)]
    [InlineData("1g", 1_073_741_824L)]
    [InlineData("1GB", 1_073_741_824L)]
    [InlineData("1.5g", 1_610_612_736L)]
    public void ByteSize_Parses(string text, long bytes)
    {
        Assert.True(ByteSizeParser.TryParse(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("12q")]
    [InlineData("m")]
    [InlineData("-1")]
    [InlineData("")]
    public void ByteSize_WhenInvalid_IsRefused(string text) => Assert.False(ByteSizeParser.TryParse(text, out _));
}
