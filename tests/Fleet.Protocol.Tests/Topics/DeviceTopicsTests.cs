using Fleet.Protocol.Topics;

namespace Fleet.Protocol.Tests.Topics;

public class DeviceTopicsTests
{
    public static TheoryData<DeviceTopicKind, string, bool> SimpleTopics => new()
    {
        { DeviceTopicKind.Desired, "fleet/v1/dev/dev-1/desired", true },
        { DeviceTopicKind.Command, "fleet/v1/dev/dev-1/cmd", false },
        { DeviceTopicKind.Status, "fleet/v1/dev/dev-1/status", true },
        { DeviceTopicKind.Events, "fleet/v1/dev/dev-1/events", false },
        { DeviceTopicKind.Online, "fleet/v1/dev/dev-1/online", true },
        { DeviceTopicKind.Trust, "fleet/v1/dev/dev-1/trust", true },
    };

    [Theory]
    [MemberData(nameof(SimpleTopics))]
    public void For_BuildsTheTopicAndParsesBack(DeviceTopicKind kind, string expected, bool retained)
    {
        var topic = DeviceTopics.For("dev-1", kind);

        Assert.Equal(expected, topic);
        Assert.True(DeviceTopics.TryParse(topic, out var parsed));
        Assert.Equal(new DeviceTopic("dev-1", kind), parsed);
        Assert.Equal(topic, parsed.ToString());
        Assert.Equal(retained, DeviceTopics.IsRetained(kind));
    }

    [Fact]
    public void NamedBuilders_MatchFor()
    {
        Assert.Equal("fleet/v1/dev/d/desired", DeviceTopics.Desired("d"));
        Assert.Equal("fleet/v1/dev/d/cmd", DeviceTopics.Command("d"));
        Assert.Equal("fleet/v1/dev/d/status", DeviceTopics.Status("d"));
        Assert.Equal("fleet/v1/dev/d/events", DeviceTopics.Events("d"));
        Assert.Equal("fleet/v1/dev/d/online", DeviceTopics.Online("d"));
        Assert.Equal("fleet/v1/dev/d/trust", DeviceTopics.Trust("d"));
    }

    [Fact]
    public void Reply_BuildsTheTopicAndParsesBackWithItsPath()
    {
        var topic = DeviceTopics.Reply("dev-1", "ctl-a/42");

        Assert.Equal("fleet/v1/dev/dev-1/reply/ctl-a/42", topic);
        Assert.True(DeviceTopics.TryParse(topic, out var parsed));
        Assert.Equal(new DeviceTopic("dev-1", DeviceTopicKind.Reply, "ctl-a/42"), parsed);
        Assert.False(DeviceTopics.IsRetained(DeviceTopicKind.Reply));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("fleet/v1/dev/dev-1")]
    [InlineData("fleet/v1/dev/dev-1/")]
    [InlineData("fleet/v1/dev//desired")]
    [InlineData("fleet/v1/dev/+/desired")]
    [InlineData("fleet/v1/dev/#")]
    [InlineData("fleet/v1/dev/Dev-1/desired")]
    [InlineData("fleet/v2/dev/dev-1/desired")]
    [InlineData("fleet/v1/dev/dev-1/desired/x")]
    [InlineData("fleet/v1/dev/dev-1/unknown")]
    [InlineData("fleet/v1/dev/dev-1/reply")]
    [InlineData("fleet/v1/dev/dev-1/reply/")]
    [InlineData("fleet/v1/dev/dev-1/reply/a//b")]
    [InlineData("fleet/v1/dev/dev-1/reply/+")]
    [InlineData("fleet/v1/dev/dev-1/reply/a/#")]
    [InlineData("$share/g/fleet/v1/dev/dev-1/status")]
    public void TryParse_WhenNotExactlyADeviceTopic_ReturnsFalse(string? topic) =>
        Assert.False(DeviceTopics.TryParse(topic, out _));

    [Theory]
    [InlineData("+")]
    [InlineData("#")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Builders_WhenDeviceIdIsInvalid_Throw(string id)
    {
        Assert.Throws<ArgumentException>(() => DeviceTopics.Desired(id));
        Assert.Throws<ArgumentException>(() => DeviceTopics.Reply(id, "x"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/+")]
    [InlineData("#")]
    [InlineData("a//b")]
    [InlineData("$sys")]
    public void Reply_WhenPathHoldsWildcardsOrEmptyLevels_Throws(string path) =>
        Assert.Throws<ArgumentException>(() => DeviceTopics.Reply("dev-1", path));

    [Theory]
    [InlineData(DeviceTopicKind.Desired, true)]
    [InlineData(DeviceTopicKind.Trust, true)]
    [InlineData(DeviceTopicKind.Command, true)]
    [InlineData(DeviceTopicKind.Reply, false)]
    [InlineData(DeviceTopicKind.Status, false)]
    [InlineData(DeviceTopicKind.Events, false)]
    [InlineData(DeviceTopicKind.Online, false)]
    public void IsToDevice_IsTrueOnlyForWhatTheControllerPublishes(DeviceTopicKind kind, bool expected) =>
        Assert.Equal(expected, DeviceTopics.IsToDevice(kind));

    [Fact]
    public void For_WhenKindIsReply_Throws() =>
        Assert.Throws<ArgumentException>(() => DeviceTopics.For("dev-1", DeviceTopicKind.Reply));

    [Theory]
    [InlineData("fleet/v1/dev/dev-1/reply/ctl/1", true)]
    [InlineData("fleet/v1/dev/dev-2/reply/ctl/1", false)]
    [InlineData("fleet/v1/dev/dev-1/status", false)]
    [InlineData("fleet/v1/dev/dev-1/desired", false)]
    [InlineData("elsewhere/reply", false)]
    [InlineData(null, false)]
    public void IsReplyTopicOf_AcceptsOnlyThisDevicesReplyTopics(string? topic, bool expected) =>
        Assert.Equal(expected, DeviceTopics.IsReplyTopicOf("dev-1", topic));
}
