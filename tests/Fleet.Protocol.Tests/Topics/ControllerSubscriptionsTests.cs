using Fleet.Protocol.Topics;

namespace Fleet.Protocol.Tests.Topics;

public class ControllerSubscriptionsTests
{
    [Fact]
    public void ForDeviceTraffic_SharesStatusAndEvents_ButNotPresence_WhoseRetainedMessagesAControllerNeeds()
    {
        Assert.Equal(
            [
                "$share/blue/fleet/v1/dev/+/status",
                "$share/blue/fleet/v1/dev/+/events",
                "fleet/v1/dev/+/online",
            ],
            ControllerSubscriptions.ForDeviceTraffic("blue"));
    }

    [Fact]
    public void Shared_UsesTheGivenGroup() =>
        Assert.Equal("$share/blue/fleet/v1/dev/+/events", ControllerSubscriptions.Shared(DeviceTopicKind.Events, "blue"));

    [Theory]
    [InlineData(DeviceTopicKind.Desired)]
    [InlineData(DeviceTopicKind.Command)]
    [InlineData(DeviceTopicKind.Reply)]
    public void Shared_WhenKindFlowsToDevices_Throws(DeviceTopicKind kind) =>
        Assert.Throws<ArgumentException>(() => ControllerSubscriptions.Shared(kind));

    [Theory]
    [InlineData("a/b")]
    [InlineData("+")]
    [InlineData("")]
    public void Shared_WhenGroupIsNotOneLevel_Throws(string group) =>
        Assert.Throws<ArgumentException>(() => ControllerSubscriptions.Shared(DeviceTopicKind.Status, group));

    [Fact]
    public void ResponseTopic_IsCoveredByThisInstancesReplyFilterOnly()
    {
        var topic = ControllerSubscriptions.ResponseTopic("dev-1", "ctl-a", "c42");

        Assert.Equal("fleet/v1/dev/dev-1/reply/ctl-a/c42", topic);
        Assert.Equal("fleet/v1/dev/+/reply/ctl-a/#", ControllerSubscriptions.Replies("ctl-a"));
        Assert.True(DeviceTopics.IsReplyTopicOf("dev-1", topic));
    }
}
