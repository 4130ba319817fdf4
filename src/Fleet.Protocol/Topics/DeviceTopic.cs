namespace Fleet.Protocol.Topics;

/// <summary>A parsed device topic. <see cref="ReplyPath"/> holds the levels after <c>reply/</c>, empty otherwise.</summary>
public sealed record DeviceTopic(string DeviceId, DeviceTopicKind Kind, string ReplyPath = "")
{
    public override string ToString() => Kind == DeviceTopicKind.Reply
        ? DeviceTopics.Reply(DeviceId, ReplyPath)
        : DeviceTopics.For(DeviceId, Kind);
}
