using System.Text;
using Fleet.IntegrationTests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.IntegrationTests.Mqtt;

public sealed class MosquittoRetainedMessageTests(MosquittoBroker broker) : IClassFixture<MosquittoBroker>
{
    [Fact]
    public async Task RetainedMessage_IsDeliveredToALaterSubscriber()
    {
        var factory = new MqttClientFactory();
        var topic = $"fleet/v1/dev/it-{Guid.NewGuid():N}/desired";
        var payload = $"{{\"version\":{Random.Shared.Next(1, 1000)}}}";

        using (var publisher = factory.CreateMqttClient())
        {
            var connected = await publisher.ConnectAsync(Options(factory, "publisher"));
            Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
            var published = await publisher.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(payload)
                .WithRetainFlag()
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build());
            Assert.True(published.IsSuccess, published.ReasonString);
            await publisher.DisconnectAsync();
        }

        using var subscriber = factory.CreateMqttClient();
        var received = new TaskCompletionSource<MqttApplicationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        Assert.Equal(MqttClientConnectResultCode.Success, (await subscriber.ConnectAsync(Options(factory, "subscriber"))).ResultCode);
        await subscriber.SubscribeAsync(factory.CreateSubscribeOptionsBuilder()
            .WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(message.Retain);
        Assert.Equal(payload, Encoding.UTF8.GetString(message.Payload));
    }

    private MqttClientOptions Options(MqttClientFactory factory, string role) => factory.CreateClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", broker.Port)
        .WithProtocolVersion(MqttProtocolVersion.V500)
        .WithClientId($"fleet-it-{role}-{Guid.NewGuid():N}")
        .Build();
}
