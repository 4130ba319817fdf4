using System.Globalization;

namespace Fleet.Sim.Broker;

/// <summary>What <see cref="RawThroughput"/> measured: messages acknowledged and received, and over how long.</summary>
public sealed record ThroughputResult(int Sent, int Received, TimeSpan Elapsed, int Publishers, int PayloadBytes, string Filter, bool Retained)
{
    public double MessagesPerSecond => Elapsed > TimeSpan.Zero ? Received / Elapsed.TotalSeconds : 0;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"raw broker throughput: {Received} of {Sent} messages received in {Elapsed.TotalSeconds:F2} s = {MessagesPerSecond:F0} msgs/s "
        + $"(QoS 1, {(Retained ? "retained" : "not retained")}, {PayloadBytes}-byte status, {Publishers} publishers, 1 subscriber on '{Filter}')");
}
