using Fleet.Agent.Hosting;

namespace Fleet.Agent.Tests.Enrollment;

public sealed class LabelListTests
{
    [Fact]
    public void Parse_ReadsPairsSeparatedByCommas()
    {
        var parsed = LabelList.Parse("site=berlin, example.com/tier=edge");

        Assert.True(parsed.Succeeded, parsed.Error);
        Assert.Equal(new Dictionary<string, string> { ["site"] = "berlin", ["example.com/tier"] = "edge" }, parsed.Value);
    }

    [Theory]
    [InlineData("site")]
    [InlineData("=berlin")]
    [InlineData("site!=berlin")]
    [InlineData("site==berlin")]
    [InlineData("site=ber lin")]
    [InlineData("site=a/b")]
    public void Parse_WhenAPairIsNotALabel_NamesIt(string text)
    {
        var parsed = LabelList.Parse(text);

        Assert.False(parsed.Succeeded);
        Assert.Contains($"'{text}'", parsed.Error, StringComparison.Ordinal);
    }
}
