using Fleet.Controller.Hosting;

namespace Fleet.Controller.Tests.Hosting;

public sealed class ControllerOptionsTests
{
    [Fact]
    public void Validate_Defaults_WithADataDirectory_AreUsable()
    {
        Assert.Empty(new ControllerOptions { DataDirectory = "/tmp/x" }.Validate());
    }

    [Fact]
    public void Validate_SaysOneLinePerBadValue_NamingTheSetting()
    {
        var problems = new ControllerOptions
        {
            Urls = "ftp://x",
            MqttPort = 70000,
            ExternalBroker = "http://broker",
            EventsPerDevice = 0,
            LogLevel = "Loud",
        }.Validate();

        Assert.Equal(
            [
                "DataDirectory: required (--data DIR or FLEET_CONTROLLER__DataDirectory)",
                "Urls: 'ftp://x' must be an http:// or https:// URL",
                "MqttPort: 70000 must be between 1 and 65535",
                "ExternalBroker: 'http://broker' must be mqtt://host:port or mqtts://host:port",
                "ExternalBrokerUsername: required with ExternalBroker (the controller's account on that broker)",
                "EventsPerDevice: 0 must be between 1 and 100000",
                "LogLevel: 'Loud' must be Trace, Debug, Information, Warning, Error or Critical",
            ],
            problems);
    }

    [Fact]
    public void Validate_EventResendSettings_OutOfRange_AreNamed()
    {
        var problems = new ControllerOptions
        {
            DataDirectory = "/tmp/x",
            EventResendGraceSeconds = 0,
            EventResendIntervalSeconds = -1,
            EventResendMaxInFlight = 0,
        }.Validate();

        Assert.Equal(
            [
                "EventResendGraceSeconds: 0 must be between 1 and 3600",
                "EventResendIntervalSeconds: -1 must be between 1 and 86400",
                "EventResendMaxInFlight: 0 must be between 1 and 10000",
            ],
            problems);
    }

    [Theory]
    [InlineData(4999, "HeartbeatWriteDelayMilliseconds: 4999 must be between WriteDelayMilliseconds (5000) and 3600000")]
    [InlineData(3_600_001, "HeartbeatWriteDelayMilliseconds: 3600001 must be between WriteDelayMilliseconds (5000) and 3600000")]
    public void Validate_HeartbeatWriteDelay_BelowTheWriteDelayOrOverAnHour_IsNamed(int delay, string problem)
    {
        var problems = new ControllerOptions { DataDirectory = "/tmp/x", WriteDelayMilliseconds = 5000, HeartbeatWriteDelayMilliseconds = delay }.Validate();

        Assert.Equal([problem], problems);
    }

    [Fact]
    public void Validate_PasswordFileAndReload_SayWhatIsWrong_OneLineEach()
    {
        var problems = new ControllerOptions
        {
            DataDirectory = "/tmp/x",
            ExternalBrokerPasswordFile = "/no/such/dir/devices.passwd",
            ExternalBrokerReload = "mosquitto.pid",
        }.Validate();

        Assert.Equal(
            [
                "ExternalBrokerPasswordFile: only with ExternalBroker (the embedded broker keeps its own credentials)",
                "ExternalBrokerPasswordFile: the directory of '/no/such/dir/devices.passwd' does not exist",
                "ExternalBrokerReload: 'mosquitto.pid' must be the absolute path of mosquitto's pid file (its pid_file setting)",
            ],
            problems);
    }

    [Fact]
    public void Validate_PasswordFileWithReload_InExistingDirectories_IsUsable()
    {
        Assert.Empty(new ControllerOptions
        {
            DataDirectory = "/tmp/x",
            ExternalBroker = "mqtt://127.0.0.1:1884",
            ExternalBrokerUsername = "fleet-controller",
            ExternalBrokerPasswordFile = Path.Combine(Path.GetTempPath(), "devices.passwd"),
            ExternalBrokerReload = Path.Combine(Path.GetTempPath(), "mosquitto.pid"),
        }.Validate());
        Assert.Equal(
            ["ExternalBrokerReload: only with ExternalBrokerPasswordFile (it makes mosquitto reread that file)"],
            new ControllerOptions { DataDirectory = "/tmp/x", ExternalBrokerReload = "/tmp/mosquitto.pid" }.Validate());
    }

    [Fact]
    public void Configure_WithANonNumberForAPort_IsOneLineNamingIt()
    {
        var options = RunCommand.Configure(new Dictionary<string, string?> { ["DataDirectory"] = "/tmp/x", ["MqttPort"] = "abc" }, null, out var problems);

        Assert.Null(options);
        var problem = Assert.Single(problems);
        Assert.Contains("MqttPort", problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
    }

    [Fact]
    public void DeviceBrokerUri_DefaultsToTheApisHostAndTheMqttPort()
    {
        var uri = ControllerHost.DeviceBrokerUri(new ControllerOptions { DataDirectory = "/x", Urls = "http://10.1.2.3:8080", MqttPort = 1884 });

        Assert.Equal(new Uri("mqtt://10.1.2.3:1884"), uri);
    }
}
