using Fleet.Agent.Hosting;

namespace Fleet.Agent.Tests.Hosting;

public sealed class BrokerSettingsTests
{
    [Fact]
    public void ReconnectMaxSeconds_CapsTheReconnectBackoff()
    {
        var settings = new BrokerSettings { Server = "mqtt://broker:1883", ReconnectMaxSeconds = 5 };

        var options = settings.ToOptions("pi-1");

        Assert.Empty(settings.Validate());
        Assert.Equal(TimeSpan.FromSeconds(5), options.Reconnect.Maximum);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Reconnect.Initial);
    }

    [Fact]
    public void ReconnectMaxSeconds_OutOfRange_IsNamed()
    {
        var settings = new BrokerSettings { Server = "mqtt://broker:1883", ReconnectMaxSeconds = 0 };

        Assert.Equal(["Broker:ReconnectMaxSeconds: 0 must be between 1 and 3600"], settings.Validate());
    }
}
