using Fleet.Protocol.Topics;

namespace Fleet.Protocol.Tests.Topics;

public class DeviceIdTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("dev-1")]
    [InlineData("berlin.cabinet_07-a")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")]
    public void IsValid_WhenIdFollowsTheRule_ReturnsTrue(string id) => Assert.True(DeviceId.IsValid(id), DeviceId.Validate(id));

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("+", "start")]
    [InlineData("#", "start")]
    [InlineData("dev/1", "'/'")]
    [InlineData("dev+1", "'+'")]
    [InlineData("dev#", "'#'")]
    [InlineData("Dev-1", "start")]
    [InlineData("dev-A", "'A'")]
    [InlineData("-dev", "start")]
    [InlineData(".dev", "start")]
    [InlineData("dev 1", "' '")]
    [InlineData("dev\u00e9", "'\u00e9'")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234", "at most 63")]
    public void Validate_WhenIdBreaksTheRule_SaysWhy(string? id, string expected)
    {
        Assert.False(DeviceId.IsValid(id));
        Assert.Contains(expected, DeviceId.Validate(id), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WhenIdHoldsControlCharacters_KeepsThemOutOfTheMessage()
    {
        var message = DeviceId.Validate("dev\n1");
        Assert.NotNull(message);
        Assert.DoesNotContain('\n', message);
    }
}
