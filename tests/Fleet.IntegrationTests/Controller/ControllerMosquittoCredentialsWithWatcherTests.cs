namespace Fleet.IntegrationTests.Controller;

/// <summary>
/// As deploy/compose runs it: no ExternalBrokerReload (the controller cannot signal mosquitto in another
/// container); mosquitto runs under deploy/mosquitto/reload-on-change.sh, which sees the file change and
/// sends the SIGHUP itself.
/// </summary>
public sealed class ControllerMosquittoCredentialsWithWatcherTests() : ControllerMosquittoCredentialsTests(controllerReloads: false)
{
    [Fact]
    public async Task Sigterm_ToTheWatcher_StopsMosquitto_AndExitsWithItsStatus()
    {
        var pid = int.Parse((await File.ReadAllTextAsync(Mosquitto.PidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Directory.Exists($"/proc/{pid}"), $"mosquitto (pid {pid}) runs under the watcher");

        await Mosquitto.StopGracefullyAsync(); // asserts exit status 0, mosquitto's on SIGTERM

        Assert.False(Directory.Exists($"/proc/{pid}"), $"mosquitto (pid {pid}) is gone once the watcher has exited");
    }
}
