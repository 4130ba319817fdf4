using CsCheck;
using Fleet.Controller.Rollouts;
using Fleet.Protocol.Api;

namespace Fleet.Controller.Tests.Rollouts;

public sealed class RolloutSpecTests
{
    [Theory]
    [InlineData("", "100%", "0", 600, null, "stack: required")]
    [InlineData("web", "", "0", 600, null, "waves: ''")]
    [InlineData("web", "1,abc,100%", "0", 600, null, "waves: 'abc' is neither")]
    [InlineData("web", "0,100%", "0", 600, null, "waves: '0' must be at least 1")]
    [InlineData("web", "150%", "0", 600, null, "waves: '150%' is not between 1% and 100%")]
    [InlineData("web", "5,3,100%", "0", 600, null, "waves: '3' does not grow past '5'")]
    [InlineData("web", "50%,10%,100%", "0", 600, null, "waves: '10%' does not grow past '50%'")]
    [InlineData("web", "1,50%", "0", 600, null, "waves: the last wave must be 100%, not '50%'")]
    [InlineData("web", "1,-2,100%", "0", 600, null, "waves: '-2' is neither")]
    [InlineData("web", "100%", "x", 600, null, "maxFailures: 'x' is neither")]
    [InlineData("web", "100%", "101%", 600, null, "maxFailures: '101%'")]
    [InlineData("web", "100%", "0", -1, null, "waveTimeoutSeconds: -1 is not between")]
    [InlineData("web", "100%", "0", 600, 0L, "healthWindowSeconds: 0 is not between")]
    public void Validate_RefusesWithOneLineNamingTheField(string stack, string waves, string maxFailures, long timeout, long? health, string expected)
    {
        var request = new RolloutRequest
        {
            Stack = stack,
            Waves = waves.Split(','),
            MaxFailures = maxFailures,
            WaveTimeoutSeconds = timeout,
            HealthWindowSeconds = health,
        };

        var result = RolloutSpec.Validate(request);

        Assert.False(result.Succeeded);
        Assert.StartsWith(expected, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Error);
    }

    [Fact]
    public void Validate_ABadTarget_NamesTheFieldAndThePosition()
    {
        var result = RolloutSpec.Validate(new RolloutRequest { Stack = "web", Target = "site=,x" });

        Assert.StartsWith("target: selector 'site=,x': at 5:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AGoodRequest_IsParsedAndCanonical()
    {
        var result = RolloutSpec.Validate(new RolloutRequest
        {
            Stack = "web",
            Version = 3,
            Target = "site=berlin, tier!=canary",
            Waves = ["1", "10%", "100%"],
            MaxFailures = "5%",
            WaveTimeoutSeconds = 120,
            HealthWindowSeconds = 30,
        });

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("site=berlin,tier!=canary", result.Value.Selector.ToString());
        Assert.Equal([new CountOrPercent(1, false), new CountOrPercent(10, true), new CountOrPercent(100, true)], result.Value.Waves);
        Assert.Equal(new CountOrPercent(5, true), result.Value.MaxFailures);
        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30)), (result.Value.WaveTimeout, result.Value.HealthWindow));
    }

    [Theory]
    [InlineData("1,10%,100%", 0, "0,0,0")]
    [InlineData("1,10%,100%", 5, "1,1,5")]
    [InlineData("1,10%,100%", 100, "1,10,100")]
    [InlineData("5,10%,100%", 20, "5,5,20")]
    [InlineData("50,100%", 3, "3,3")]
    [InlineData("33%,100%", 10, "4,10")]
    public void CumulativeSizes_RoundsPercentagesUpAndNeverShrinks(string waves, int total, string expected)
    {
        var spec = RolloutSpec.Validate(new RolloutRequest { Stack = "web", Waves = waves.Split(',') });

        var sizes = RolloutSpec.CumulativeSizes(spec.Value!.Waves, total);

        Assert.Equal(expected, string.Join(',', sizes));
    }

    [Fact]
    public void CumulativeSizes_GrowToTheWholeTargetAndStayWithinIt()
    {
        var wave = Gen.OneOf(Gen.Int[1, 200].Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), Gen.Int[1, 100].Select(p => $"{p}%"));
        var plans = wave.List[0, 6].Select(waves => waves.Append("100%").ToList());

        Gen.Select(plans, Gen.Int[0, 1000]).Sample((waves, total) =>
        {
            var spec = RolloutSpec.Validate(new RolloutRequest { Stack = "web", Waves = waves });
            if (!spec.Succeeded)
            {
                return true; // Not growing: refused, as another test shows.
            }

            var sizes = RolloutSpec.CumulativeSizes(spec.Value.Waves, total);
            return sizes[^1] == total &&
                   sizes.Zip(sizes.Skip(1)).All(p => p.First <= p.Second) &&
                   sizes.All(s => s >= 0 && s <= total) &&
                   spec.Value.Waves.Zip(sizes).All(p => p.Second >= Math.Min(total, p.First.AtLeast(total)));
        });
    }

    [Theory]
    [InlineData("0", false, 0)]
    [InlineData("7", false, 7)]
    [InlineData("10%", true, 10)]
    public void CountOrPercent_ParsesAndPrintsTheSameText(string text, bool isPercent, int value)
    {
        Assert.True(CountOrPercent.TryParse(text, out var quantity));
        Assert.Equal(new CountOrPercent(value, isPercent), quantity);
        Assert.Equal(text, quantity.ToString());
    }

    [Theory]
    [InlineData("10%", 5, 1, 0)]
    [InlineData("10%", 10, 1, 1)]
    [InlineData("25%", 10, 3, 2)]
    [InlineData("3", 10, 3, 3)]
    public void CountOrPercent_WavesRoundUpAndFailureLimitsRoundDown(string text, int total, int atLeast, int atMost)
    {
        var quantity = CountOrPercent.Parse(text);

        Assert.Equal((atLeast, atMost), (quantity.AtLeast(total), quantity.AtMost(total)));
    }
}
