using Fleet.Cli.Api;
using Fleet.Cli.Hosting;
using Fleet.Cli.Output;
using Fleet.Protocol.Api;
using Spectre.Console;

namespace Fleet.Cli.Tests.Output;

public sealed class CliOutputTests
{
    private static readonly StackSummary Stack = new() { Name = "web", LatestVersion = 2, Digest = "sha256:abc", UpdatedAt = DateTimeOffset.UnixEpoch };

    [Theory]
    [InlineData(true, false, null, true)]
    [InlineData(true, true, null, false)]
    [InlineData(true, false, "1", false)]
    [InlineData(false, false, null, false)]
    public void Color_OnlyOnATerminal_AndNeitherNoColorNorItsVariable(bool terminal, bool noColor, string? noColorVariable, bool expected)
    {
        var output = new CliOutput(Environment(TextWriter.Null, TextWriter.Null, terminal, noColorVariable), json: false, noColor);

        Assert.Equal(expected, output.Color);
    }

    [Fact]
    public void Print_WithJson_WritesTheContractShapeAndNothingElse_EvenOnATerminal()
    {
        using var stdout = new StringWriter();
        var output = new CliOutput(Environment(stdout, TextWriter.Null, terminal: true, null), json: true, noColor: false);

        var exit = output.Print(ApiResult<StackSummary>.Success(Stack, 200), ApiJsonContext.Default.StackSummary, _ => new Text("a table"));

        Assert.Equal(0, exit);
        Assert.False(output.Terminal);
        Assert.Equal("""
            {
              "name": "web",
              "latestVersion": 2,
              "digest": "sha256:abc",
              "updatedAt": "1970-01-01T00:00:00+00:00"
            }

            """, stdout.ToString());
    }

    [Fact]
    public void Print_OfAFailure_IsOneLineOnStderr_AndExit1()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var output = new CliOutput(Environment(stdout, stderr, terminal: false, null), json: true, noColor: false);

        var exit = output.Print(ApiResult<StackSummary>.Failed(new ApiFailure("not-found", "no stack 'web'", 404)), ApiJsonContext.Default.StackSummary, _ => new Text("-"));

        Assert.Equal(1, exit);
        Assert.Equal("", stdout.ToString());
        Assert.Equal("error: no stack 'web'\n", stderr.ToString());
    }

    [Theory]
    [InlineData(true, "╭")]
    [InlineData(false, "STACK")]
    public void Table_IsBoxedOnATerminal_AndPlainInAPipe(bool terminal, string firstCharacters)
    {
        using var stdout = new StringWriter();
        var output = new CliOutput(Environment(stdout, TextWriter.Null, terminal, null), json: false, noColor: true);
        var table = output.Table("STACK");
        table.AddRow("web");

        output.Write(table);

        Assert.StartsWith(firstCharacters, stdout.ToString().TrimStart(), StringComparison.Ordinal);
        Assert.Equal(terminal, stdout.ToString().Contains('│', StringComparison.Ordinal));
    }

    private static CliEnvironment Environment(TextWriter stdout, TextWriter stderr, bool terminal, string? noColor) => new()
    {
        Out = stdout,
        Error = stderr,
        OutIsTerminal = terminal,
        Variable = name => name == "NO_COLOR" ? noColor : null,
    };
}
