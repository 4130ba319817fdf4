namespace Fleet.Agent.Mqtt;

/// <summary>A message the broker delivered, copied out of MQTTnet's buffers.</summary>
public sealed record BrokerMessage(
    string Topic,
    ReadOnlyMemory<byte> Payload,
    bool Retain,
    string? ResponseTopic,
    ReadOnlyMemory<byte> CorrelationData);
