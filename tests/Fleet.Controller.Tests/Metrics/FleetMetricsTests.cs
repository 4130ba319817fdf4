using Fleet.Controller.Metrics;

namespace Fleet.Controller.Tests.Metrics;

public sealed class FleetMetricsTests
{
    [Fact]
    public void Render_IsPrometheusTextWithTheFourRequiredSeries()
    {
        var metrics = new FleetMetrics();
        metrics.CountIn();
        metrics.CountIn();
        metrics.CountOut();

        var lines = metrics.Render(devicesOnline: 7, devicesTotal: 9).Split('\n');

        Assert.Contains("fleet_devices_online 7", lines);
        Assert.Contains("fleet_rollouts_in_progress 0", lines);
        Assert.Contains("fleet_mqtt_messages_in_total 2", lines);
        Assert.Contains("fleet_mqtt_messages_out_total 1", lines);
        Assert.Contains("# TYPE fleet_mqtt_messages_in_total counter", lines);
    }
}
