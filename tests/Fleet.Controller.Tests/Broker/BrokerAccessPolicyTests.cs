using Fleet.Controller.Broker;

namespace Fleet.Controller.Tests.Broker;

public sealed class BrokerAccessPolicyTests
{
    private static readonly BrokerIdentity Pi = BrokerIdentity.Device("pi-7");

    [Theory]
    [InlineData("fleet/v1/dev/pi-7/desired", true)]
    [InlineData("fleet/v1/dev/pi-7/trust", true)]
    [InlineData("fleet/v1/dev/pi-7/cmd", true)]
    [InlineData("fleet/v1/dev/pi-7/status", false)]
    [InlineData("fleet/v1/dev/pi-8/desired", false)]
    [InlineData("fleet/v1/dev/+/desired", false)]
    [InlineData("fleet/v1/dev/pi-7/#", false)]
    [InlineData("#", false)]
    [InlineData("$share/g/fleet/v1/dev/pi-7/desired", false)]
    public void Subscribe_DeviceGetsOnlyItsOwnInboundTopics(string filter, bool allowed)
    {
        var decision = BrokerAccessPolicy.Subscribe(Pi, filter);

        Assert.Equal(allowed, decision.Allowed);
        Assert.Equal(allowed, decision.Reason is null);
    }

    [Theory]
    [InlineData("fleet/v1/dev/pi-7/status", true, true)]
    [InlineData("fleet/v1/dev/pi-7/online", true, true)]
    [InlineData("fleet/v1/dev/pi-7/events", false, true)]
    [InlineData("fleet/v1/dev/pi-7/events", true, false)]
    [InlineData("fleet/v1/dev/pi-7/reply/ctl-1/c42", false, true)]
    [InlineData("fleet/v1/dev/pi-7/desired", true, false)]
    [InlineData("fleet/v1/dev/pi-7/desired", false, false)]
    [InlineData("fleet/v1/dev/pi-7/trust", true, false)]
    [InlineData("fleet/v1/dev/pi-7/cmd", false, false)]
    [InlineData("fleet/v1/dev/pi-8/status", true, false)]
    [InlineData("fleet/v1/other", false, false)]
    public void Publish_DeviceWritesOnlyItsOwnOutboundTopics(string topic, bool retain, bool allowed)
    {
        Assert.Equal(allowed, BrokerAccessPolicy.Publish(Pi, topic, retain).Allowed);
    }

    [Fact]
    public void Controller_MayDoAnything()
    {
        Assert.True(BrokerAccessPolicy.Subscribe(BrokerIdentity.Controller, "$share/fleet-controllers/fleet/v1/dev/+/status").Allowed);
        Assert.True(BrokerAccessPolicy.Publish(BrokerIdentity.Controller, "fleet/v1/dev/pi-7/desired", retain: true).Allowed);
    }

    [Theory]
    [InlineData("pi-7", "pi-7", true)]
    [InlineData("pi-8", "pi-7", false)]
    [InlineData("pi+", "pi+", false)]
    [InlineData("a/b", "a/b", false)]
    [InlineData("#", "#", false)]
    [InlineData("", "", false)]
    public void Connect_ClientIdMustBeTheValidDeviceIdOfTheCredentials(string clientId, string userName, bool allowed)
    {
        Assert.Equal(allowed, BrokerAccessPolicy.Connect(clientId, userName).Allowed);
    }

    [Fact]
    public void DeviceSecret_VerifiesOnlyTheSecretItHashed()
    {
        var secret = DeviceSecret.Create();
        var hash = DeviceSecret.Hash(secret);

        Assert.True(DeviceSecret.Verify(secret, hash));
        Assert.False(DeviceSecret.Verify(secret + "x", hash));
        Assert.NotEqual(DeviceSecret.Create(), secret);
    }
}
