using System.Net;

namespace Fleet.Controller.Broker;

public sealed record EmbeddedBrokerOptions
{
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    public int Port { get; init; } = 1883;

    /// <summary>Larger publishes are refused: a desired state with its compose files fits easily.</summary>
    public int MaxPayloadBytes { get; init; } = 1024 * 1024;

    /// <summary>QoS 1 messages kept per offline session; sized for the controller's fan-in.</summary>
    public int MaxPendingMessagesPerClient { get; init; } = 10_000;

    /// <summary>
    /// Each connection's initial packet write buffers (MQTTnet's default is 4,096), two per connection: 10,000
    /// connections hold 20,000 of them. What the broker writes to a device is acks and, now and then, a desired
    /// state of a few KB, for which MQTTnet grows the buffer and shrinks it back after.
    /// </summary>
    public int WriterBufferBytes { get; init; } = 256;
}
