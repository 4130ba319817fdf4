namespace Fleet.Compose.Tests.Loading;

public class LimitTests
{
    [Fact]
    public void FileLargerThanLimit_IsRefused()
    {
        var errors = TestLoader.Errors("services:\n  web: {image: x}\n# " + new string('x', 2000) + "\n", limits: new ComposeLimits { MaxFileBytes = 1000 });

        Assert.Contains("larger than 1000 bytes", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void MoreServicesThanLimit_IsRefused()
    {
        var yaml = "services:\n" + string.Concat(Enumerable.Range(0, 11).Select(i => $"  s{i}: {{image: x}}\n"));

        Assert.Contains("more than 10 services", TestLoader.Errors(yaml, limits: new ComposeLimits { MaxServices = 10 }), StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_IsAnErrorNotAnException()
    {
        var result = ComposeLoader.Load(new ComposeLoadOptions { Files = [new ComposeFile("/nonexistent/compose.yaml")] });

        Assert.Equal("compose.yaml: file not found", Assert.Single(result.Errors).ToString());
    }
}
