using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.IntegrationTests.Infrastructure;

/// <summary>A test's own MQTT client: records what arrives on its filters, and publishes.</summary>
internal sealed class MqttProbe : IDisposable
{
    private readonly IMqttClient _client;

    private MqttProbe(IMqttClient client)
    {
        _client = client;
        client.ApplicationMessageReceivedAsync += e =>
        {
            Received.Enqueue((e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)));
            Correlations.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.CorrelationData ?? []));
            return Task.CompletedTask;
        };
    }

    public ConcurrentQueue<(string Topic, byte[] Payload)> Received { get; } = new();

    public ConcurrentQueue<(string Topic, byte[] CorrelationData)> Correlations { get; } = new();

    public static async Task<MqttProbe> ConnectAsync(int port, params string[] filters)
    {
        var (probe, result) = await TryConnectAsync(port, $"it-probe-{Guid.NewGuid():N}", userName: null, password: null);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        if (filters.Length > 0)
        {
            await probe.SubscribeAsync(filters);
        }

        return probe;
    }

    /// <summary>Connects with a chosen client id and credentials; whether the broker accepted is the caller's to check.</summary>
    public static async Task<(MqttProbe Probe, MqttClientConnectResult Result)> TryConnectAsync(int port, string clientId, string? userName, string? password)
    {
        var factory = new MqttClientFactory();
        var probe = new MqttProbe(factory.CreateMqttClient());
        var options = factory.CreateClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId);
        if (userName is not null)
        {
            options.WithCredentials(userName, password);
        }

        try
        {
            return (probe, await probe._client.ConnectAsync(options.Build()));
        }
        catch
        {
            probe.Dispose();
            throw;
        }
    }

    public bool IsConnected => _client.IsConnected;

    public async Task<MqttClientSubscribeResult> SubscribeAsync(params string[] filters)
    {
        var subscribe = new MqttClientFactory().CreateSubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        return await _client.SubscribeAsync(subscribe.Build());
    }

    public IEnumerable<string> TextsOn(string topic) =>
        Received.Where(m => m.Topic == topic).Select(m => Encoding.UTF8.GetString(m.Payload));

    public async Task PublishAsync(string topic, byte[] payload, bool retain)
    {
        var result = await TryPublishAsync(topic, payload, retain);
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode}");
    }

    /// <summary>A QoS 1 publish whose PUBACK reason code (e.g. not authorized) is the caller's to check.</summary>
    public Task<MqttClientPublishResult> TryPublishAsync(string topic, byte[] payload, bool retain) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

    /// <summary>An MQTT v5 request: the reply is expected on <paramref name="responseTopic"/> with the same correlation data.</summary>
    public async Task RequestAsync(string topic, byte[] payload, string responseTopic, byte[] correlationData)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithResponseTopic(responseTopic)
            .WithCorrelationData(correlationData)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode}");
    }

    public void Dispose() => _client.Dispose();
}
