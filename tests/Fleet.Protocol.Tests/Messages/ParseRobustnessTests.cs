using System.Text;
using CsCheck;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;

namespace Fleet.Protocol.Tests.Messages;

/// <summary>Whatever bytes arrive, parsing is a value (a message or a reason), never an exception.</summary>
public class ParseRobustnessTests
{
    private static readonly string Valid = Encoding.UTF8.GetString(ProtocolJson.Serialize(
        TestPki.Desired(3) with { Rollout = new RolloutRef("r", 1) }, ProtocolJsonContext.Default.DesiredState));

    [Fact]
    public void Parse_WhenAValidMessageIsMutated_NeverThrows()
    {
        var edits = Gen.Select(Gen.Int[0, Valid.Length - 1], Gen.Char["{}[]\":,0123456789-.eE+ntrufals\\u\u00e9\u0000 "], Gen.Int[0, 2]);
        edits.Array[1, 6].Sample(mutations =>
        {
            var text = new StringBuilder(Valid);
            foreach (var (position, c, kind) in mutations)
            {
                var at = Math.Min(position, text.Length - 1);
                _ = kind switch
                {
                    0 => text.Remove(at, 1),
                    1 => text.Insert(at, c),
                    _ => text.Replace(text[at], c, at, 1),
                };
            }

            var parsed = ProtocolJson.Parse(Encoding.UTF8.GetBytes(text.ToString()), ProtocolJsonContext.Default.DesiredState);
            Assert.True(parsed.Succeeded || !string.IsNullOrEmpty(parsed.Error));
        }, iter: 3000);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(1000)]
    public void Parse_WhenNestingIsDeep_FailsAsAValue(int depth)
    {
        var json = """{"deviceId":"d","version":1,"issuedAt":"2026-11-28T12:00:00+00:00","rollout":""" + new string('[', depth) + new string(']', depth) + "}";

        Assert.False(ProtocolJson.Parse(Encoding.UTF8.GetBytes(json), ProtocolJsonContext.Default.DesiredState).Succeeded);
    }

    [Theory]
    [InlineData("""{"deviceId":"d","version":1,"issuedAt":"2026-11-28T12:00:00+00:00","stacks":[{"name":"w","digest":"x","compose":"c","healthWindow":"soon"}]}""")]
    [InlineData("""{"deviceId":"d","version":1,"issuedAt":"yesterday"}""")]
    [InlineData("""{"deviceId":"d","version":99999999999999999999,"issuedAt":"2026-11-28T12:00:00+00:00"}""")]
    [InlineData("""{"deviceId":"d","version":1,"issuedAt":"2026-11-28T12:00:00+00:00","rollout":{"id":"r"}}""")]
    [InlineData("""{"deviceId":"d","version":1,"issuedAt":"2026-11-28T12:00:00+00:00","rollout":{"id":"r","wave":null}}""")]
    public void Parse_WhenAValueHasTheWrongFormat_FailsAsAValue(string json) =>
        Assert.False(ProtocolJson.Parse(Encoding.UTF8.GetBytes(json), ProtocolJsonContext.Default.DesiredState).Succeeded);
}
