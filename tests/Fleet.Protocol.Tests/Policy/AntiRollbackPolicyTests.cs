using Fleet.Protocol.Policy;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Tests.Policy;

public class AntiRollbackPolicyTests
{
    [Theory]
    [InlineData(null, 1, RefusalReason.None)]
    [InlineData(null, 0, RefusalReason.MalformedPayload)]
    [InlineData(null, -5, RefusalReason.MalformedPayload)]
    [InlineData(10L, 11, RefusalReason.None)]
    [InlineData(10L, 1000, RefusalReason.None)]
    [InlineData(10L, 10, RefusalReason.Duplicate)]
    [InlineData(10L, 9, RefusalReason.Replayed)]
    [InlineData(10L, 1, RefusalReason.Replayed)]
    public void Evaluate_AcceptsOnlyVersionsAboveTheHighestAccepted(long? highest, long candidate, RefusalReason expected)
    {
        var decision = new AntiRollbackPolicy(highest).Evaluate(candidate);

        Assert.Equal(expected, decision.Reason);
        Assert.Equal(expected == RefusalReason.None, decision.IsAccepted);
    }

    [Fact]
    public void Accept_RaisesTheMarkSoTheSameVersionIsThenADuplicate()
    {
        var policy = AntiRollbackPolicy.None.Accept(5);

        Assert.Equal(5, policy.HighestAccepted);
        Assert.Equal(RefusalReason.Duplicate, policy.Evaluate(5).Reason);
        Assert.Equal(RefusalReason.Replayed, policy.Evaluate(4).Reason);
    }

    [Fact]
    public void Accept_WhenTheVersionWasRefused_ThrowsBecauseThatIsABug() =>
        Assert.Throws<InvalidOperationException>(() => new AntiRollbackPolicy(5).Accept(3));

    [Fact]
    public void FromMarks_TakesTheHighestKnownMark()
    {
        // The database lost its mark (null), the file outside it says 7, the running release is 9.
        var policy = AntiRollbackPolicy.FromMarks(null, 7, 9);

        Assert.Equal(9, policy.HighestAccepted);
        Assert.Equal(RefusalReason.Replayed, policy.Evaluate(8).Reason);
    }

    [Fact]
    public void FromMarks_WhenNothingIsKnown_AcceptsAnyPositiveVersion() =>
        Assert.True(AntiRollbackPolicy.FromMarks(null, null).Evaluate(1).IsAccepted);
}
