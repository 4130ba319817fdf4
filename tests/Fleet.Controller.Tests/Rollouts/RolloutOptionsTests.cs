using Fleet.Controller.Rollouts;

namespace Fleet.Controller.Tests.Rollouts;

public sealed class RolloutOptionsTests
{
    [Fact]
    public void Validate_TheDefaults_AreUsable()
    {
        Assert.Null(new RolloutOptions().Validate());
    }

    [Fact]
    public void Validate_NamesTheSettingThatIsOff()
    {
        Assert.StartsWith("Rollouts:EvaluationInterval", new RolloutOptions { EvaluationInterval = TimeSpan.Zero }.Validate(), StringComparison.Ordinal);
        Assert.StartsWith("Rollouts:ChangeDelay", new RolloutOptions { ChangeDelay = TimeSpan.FromSeconds(-1) }.Validate(), StringComparison.Ordinal);
        Assert.StartsWith("Rollouts:PublishConcurrency", new RolloutOptions { PublishConcurrency = 0 }.Validate(), StringComparison.Ordinal);
    }
}
