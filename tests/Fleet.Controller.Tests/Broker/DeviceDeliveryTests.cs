using Fleet.Controller.Broker;

namespace Fleet.Controller.Tests.Broker;

public sealed class DeviceDeliveryTests
{
    [Theory]
    [InlineData("fleet/v1/dev/#", true)]
    [InlineData("#", true)]
    [InlineData("fleet/v1/dev/+/desired", true)]
    [InlineData("fleet/v1/dev/pi-1/#", true)]
    [InlineData("fleet/v1/dev/pi-1/cmd", true)]
    [InlineData("fleet/v1/+/+/trust", true)]
    [InlineData("fleet/v1/dev/+/status", false)]
    [InlineData("fleet/v1/dev/+/events", false)]
    [InlineData("fleet/v1/dev/+/online", false)]
    [InlineData("fleet/v1/dev/+/reply/ctl-1/#", false)]
    [InlineData("other/#", false)]
    public void MatchesToDeviceTopics_TellsMonitorsFromTheControllersOwnSubscriptions(string filter, bool matches)
    {
        Assert.Equal(matches, DeviceDelivery.MatchesToDeviceTopics(filter));
    }
}
