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

    [Theory]
    [InlineData("volumes: [\"./a\\0b:/x\"]", "must not contain a NUL character")]
    [InlineData("env_file: [\"a\\0b\"]", "must not contain a NUL character")]
    [InlineData("environment: {A: \"x\\0y\"}", "must not contain a NUL character")]
    [InlineData("cpus: 99999999999999999", "must be a non-negative number up to 1000000")]
    [InlineData("mem_limit: 99999999999999999999999g", "invalid size")]
    [InlineData("stop_grace_period: 99999999999999999999h", "invalid duration")]
    public void ValueThatWouldBreakTheEngine_IsAnErrorNotAnException(string line, string expected) =>
        Assert.Contains(expected, TestLoader.Errors($"services:\n  web:\n    image: x\n    {line}\n"), StringComparison.Ordinal);
}
