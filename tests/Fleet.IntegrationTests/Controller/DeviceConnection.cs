using System.Collections.Concurrent;
using Fleet.Protocol.Enrollment;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.IntegrationTests.Controller;

/// <summary>An MQTT client holding a device's enrolled credentials, for tests that play the device themselves.</summary>
internal sealed class DeviceConnection : IDisposable
{
    private readonly IMqttClient _client;

    private DeviceConnection(IMqttClient client)
    {
        _client = client;
        client.ApplicationMessageReceivedAsync += e =>
        {
            Received.Enqueue((e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)));
            return Task.CompletedTask;
        };
    }

    public ConcurrentQueue<(string Topic, byte[] Payload)> Received { get; } = new();

    public static async Task<(DeviceConnection? Connection, MqttClientConnectResultCode Code)> TryConnectAsync(int port, BrokerCredentials credentials, params string[] filters)
    {
        var factory = new MqttClientFactory();
        var connection = new DeviceConnection(factory.CreateMqttClient());
        var result = await connection._client.ConnectAsync(factory.CreateClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(credentials.Username)
            .WithCredentials(credentials.Username, credentials.Password)
            .Build());
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            connection.Dispose();
            return (null, result.ResultCode);
        }

        if (filters.Length > 0)
        {
            var subscribe = factory.CreateSubscribeOptionsBuilder();
            foreach (var filter in filters)
            {
                subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
            }

            await connection._client.SubscribeAsync(subscribe.Build());
        }

        return (connection, result.ResultCode);
    }

    public static async Task<DeviceConnection> ConnectAsync(int port, BrokerCredentials credentials, params string[] filters)
    {
        var (connection, code) = await TryConnectAsync(port, credentials, filters);
        Assert.True(connection is not null, $"device {credentials.Username} connects: {code}");
        return connection!;
    }

    public async Task PublishAsync(string topic, byte[] payload, bool retain = false)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.True(result.IsSuccess, $"publish to {topic}: {result.ReasonCode} {result.ReasonString}");
    }

    public void Dispose() => _client.Dispose();
}
