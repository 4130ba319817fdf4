using Fleet.Compose.Interpolation;

namespace Fleet.Compose.Tests.Interpolation;

public class InterpolatorTests
{
    private static readonly Dictionary<string, string> Variables = new()
    {
        ["SET"] = "value",
        ["EMPTY"] = "",
        ["INNER"] = "inner",
    };

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("$SET", "value")]
    [InlineData("${SET}", "value")]
    [InlineData("a${SET}b$SET-c", "avaluebvalue-c")]
    [InlineData("$UNSET", "")]
    [InlineData("${UNSET:-default}", "default")]
    [InlineData("${EMPTY:-default}", "default")]
    [InlineData("${EMPTY-default}", "")]
    [InlineData("${UNSET-default}", "default")]
    [InlineData("${SET:-default}", "value")]
    [InlineData("${SET:+alt}", "alt")]
    [InlineData("${EMPTY:+alt}", "")]
    [InlineData("${EMPTY+alt}", "alt")]
    [InlineData("${UNSET+alt}", "")]
    [InlineData("${UNSET:-${INNER}}", "inner")]
    [InlineData("${UNSET:-${ALSO_UNSET:-deep}}", "deep")]
    [InlineData("${UNSET:-a ${INNER} b}", "a inner b")]
    [InlineData("$$SET", "$SET")]
    [InlineData("cost: $$5", "cost: $5")]
    [InlineData("${SET:?must be set}", "value")]
    public void Interpolate_FollowsTheSpecification(string input, string expected)
    {
        var (value, error) = Interpolator.Interpolate(input, Variables.GetValueOrDefault);

        Assert.Null(error);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("${UNSET:?please set it}", "required variable UNSET is missing a value: please set it")]
    [InlineData("${EMPTY:?empty is not enough}", "required variable EMPTY is missing a value: empty is not enough")]
    [InlineData("${UNSET?}", "required variable UNSET is missing a value")]
    [InlineData("${SET", "has no closing")]
    [InlineData("${}", "needs a variable name")]
    [InlineData("$", "lone \"$\"")]
    [InlineData("a $1 b", "invalid interpolation")]
    [InlineData("${SET/x}", "expected one of")]
    public void Interpolate_WhenInvalidOrRequiredMissing_ReturnsError(string input, string expected)
    {
        var (_, error) = Interpolator.Interpolate(input, Variables.GetValueOrDefault);

        Assert.NotNull(error);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Interpolate_EmptyRequiredWithoutColon_IsAccepted()
    {
        var (value, error) = Interpolator.Interpolate("${EMPTY?unset only}", Variables.GetValueOrDefault);

        Assert.Null(error);
        Assert.Equal("", value);
    }

    [Fact]
    public void Load_InterpolatesValuesNotKeys_AndNamesFileLineServiceAndField()
    {
        var result = TestLoader.Load("""
            services:
              web:
                image: busybox:${TAG:-1}
                environment:
                  $KEY: ${NEED:?set NEED to the broker URL}
            """);

        var error = Assert.Single(result.Errors);
        Assert.Equal("compose.yaml:5:13: service web: environment.$KEY: required variable NEED is missing a value: set NEED to the broker URL", error.ToString());
    }

    [Fact]
    public void Load_VariablesComeFromEnvironmentThenDotEnvThenDeviceVariables()
    {
        var project = TestLoader.Project(
            """
            services:
              web:
                image: busybox
                environment:
                  A: $A
                  B: $B
                  C: $C
            """,
            environment: new Dictionary<string, string> { ["A"] = "from-env" });
        Assert.Equal("from-env", project.Services["web"].Environment["A"]);

        var layered = TestLoader.Load(
            "services:\n  web:\n    image: busybox\n    environment: [\"A=$A\", \"B=$B\", \"C=$C\"]\n",
            environment: new Dictionary<string, string> { ["A"] = "env" },
            dotEnv: "A=dotenv-a\nB=dotenv-b\n",
            extra: new Dictionary<string, string> { ["A"] = "dev-a", ["B"] = "dev-b", ["C"] = "dev-c" }).Project!;
        var environment = layered.Services["web"].Environment;
        Assert.Equal(("env", "dotenv-b", "dev-c"), (environment["A"], environment["B"], environment["C"]));
    }

    [Fact]
    public void Load_DotEnvMayReferToEarlierVariables()
    {
        var project = TestLoader.Project(
            "services:\n  web:\n    image: busybox:${TAG}\n",
            environment: new Dictionary<string, string> { ["MAJOR"] = "1" },
            dotEnv: "BASE=${MAJOR}.2\nTAG=${BASE}.3\n");

        Assert.Equal("busybox:1.2.3", project.Services["web"].Image);
    }

    [Fact]
    public void Load_ValueInterpolatedToEmpty_IsAnEmptyStringNotUnset()
    {
        var web = TestLoader.Project("services:\n  web:\n    image: x\n    environment:\n      A: ${UNSET:+alt}\n      B: ${UNSET}\n").Services["web"];

        Assert.Equal(("", ""), (web.Environment["A"], web.Environment["B"]));
    }
}
