using System.Text;

namespace Fleet.Protocol.Messages;

/// <summary>
/// The retained payload of <c>fleet/v1/dev/{id}/online</c>: plain UTF-8 <c>online</c> (birth message)
/// or <c>offline</c> (last will, and on a clean shutdown). Not JSON, so that a last will is trivial.
/// </summary>
public static class Presence
{
    public const string Online = "online";
    public const string Offline = "offline";

    public static byte[] Encode(bool online) => Encoding.UTF8.GetBytes(online ? Online : Offline);

    /// <summary>False for anything but the exact bytes of <c>online</c> or <c>offline</c>.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, out bool online)
    {
        online = payload.SequenceEqual("online"u8);
        return online || payload.SequenceEqual("offline"u8);
    }
}
