using System.Text;
using Fleet.Protocol.Messages;

namespace Fleet.Protocol.Tests.Messages;

public class PresenceTests
{
    [Theory]
    [InlineData(true, "online")]
    [InlineData(false, "offline")]
    public void Encode_WritesPlainTextAndDecodesBack(bool online, string text)
    {
        var bytes = Presence.Encode(online);

        Assert.Equal(text, Encoding.UTF8.GetString(bytes));
        Assert.True(Presence.TryDecode(bytes, out var decoded));
        Assert.Equal(online, decoded);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Online")]
    [InlineData("\"online\"")]
    [InlineData("online\n")]
    public void TryDecode_WhenNotExactlyOnlineOrOffline_ReturnsFalse(string payload) =>
        Assert.False(Presence.TryDecode(Encoding.UTF8.GetBytes(payload), out _));
}
