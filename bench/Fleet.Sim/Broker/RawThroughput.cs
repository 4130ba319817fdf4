using System.Diagnostics;
using Fleet.Controller.Broker;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Serialization;
using Fleet.Protocol.Topics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Fleet.Sim.Broker;

/// <summary>
/// The ceiling the controller's status ingest can approach on a broker: MQTTnet device clients
/// publish retained QoS 1 status messages (a realistic DeviceStatus) to their own topics with a
/// window of unacknowledged publishes, and one client, authenticated as the controller, receives
/// them on the controller's shared subscription. Nothing is parsed or stored on the receiving side.
/// </summary>
public static class RawThroughput
{
    public static async Task<ThroughputResult> MeasureAsync(
        Uri broker, string secret, int messages, int publishers, int window, bool shared, bool retained, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var factory = new MqttClientFactory();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        // MQTTnet's server (5.2) refuses $share/ filters (SharedSubscriptionsNotSupported): the plain filter is its equivalent.
        var filter = shared ? ControllerSubscriptions.Shared(DeviceTopicKind.Status) : DeviceTopics.Prefix + "+/status";
        var received = 0;
        // The rate is over the time to the last message received: when some never arrive, the wait for them is not throughput.
        var clock = new Stopwatch();
        long lastReceived = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscriber = factory.CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            // Retained copies from an earlier run arrive on subscribe with the retain flag: not this run's.
            if (e.ApplicationMessage.Retain)
            {
                return Task.CompletedTask;
            }

            var count = Interlocked.Increment(ref received);
            Interlocked.Exchange(ref lastReceived, clock.ElapsedTicks);
            if (count == messages)
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await ConnectAsync(subscriber, factory, broker, CredentialTable.ControllerUserName, secret, "fleet-bench-subscriber", bound.Token);
        var subscribed = await subscriber.SubscribeAsync(
            factory.CreateSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), bound.Token);
        if (subscribed.Items.Single().ResultCode > MqttClientSubscribeResultCode.GrantedQoS2)
        {
            throw new InvalidOperationException($"broker refused the subscription to '{filter}': {subscribed.Items.Single().ResultCode}");
        }

        var clients = new List<IMqttClient>();
        try
        {
            for (var i = 1; i <= publishers; i++)
            {
                var client = factory.CreateMqttClient();
                clients.Add(client);
                await ConnectAsync(client, factory, broker, $"tp-{i:D5}", secret, $"tp-{i:D5}", bound.Token);
            }

            var payloadBytes = ProtocolJson.Serialize(SampleStatus("tp-00001"), ProtocolJsonContext.Default.DeviceStatus).Length;
            var sent = 0;
            clock.Start();
            await Task.WhenAll(clients.Select((client, i) => PublishAsync(
                client, $"tp-{i + 1:D5}", messages / publishers + (i < messages % publishers ? 1 : 0), window, retained, () => Interlocked.Increment(ref sent), bound.Token)));
            try
            {
                await done.Task.WaitAsync(bound.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Timed out: report what arrived.
            }

            return new ThroughputResult(
                sent, Volatile.Read(ref received), Stopwatch.GetElapsedTime(0, Interlocked.Read(ref lastReceived)), publishers, payloadBytes, filter, retained);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static async Task PublishAsync(IMqttClient client, string deviceId, int count, int window, bool retained, Action acknowledged, CancellationToken cancellationToken)
    {
        var topic = DeviceTopics.Status(deviceId);
        using var slots = new SemaphoreSlim(window, window);
        var inFlight = new List<Task>(count);
        for (var seq = 1; seq <= count; seq++)
        {
            await slots.WaitAsync(cancellationToken);
            var payload = ProtocolJson.Serialize(SampleStatus(deviceId) with { Seq = seq }, ProtocolJsonContext.Default.DeviceStatus);
            inFlight.Add(PublishOneAsync(client, topic, payload, retained, slots, acknowledged, cancellationToken));
        }

        await Task.WhenAll(inFlight);
    }

    private static async Task PublishOneAsync(IMqttClient client, string topic, byte[] payload, bool retained, SemaphoreSlim slots, Action acknowledged, CancellationToken cancellationToken)
    {
        try
        {
            var result = await client.PublishAsync(
                new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retained)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(),
                cancellationToken);
            if (result.IsSuccess)
            {
                acknowledged();
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private static async Task ConnectAsync(
        IMqttClient client, MqttClientFactory factory, Uri broker, string user, string secret, string clientId, CancellationToken cancellationToken)
    {
        var result = await client.ConnectAsync(
            factory.CreateClientOptionsBuilder()
                .WithTcpServer(broker.Host, broker.IsDefaultPort || broker.Port < 0 ? 1883 : broker.Port)
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId(clientId)
                .WithCredentials(user, secret)
                .WithCleanStart(true)
                .Build(),
            cancellationToken);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"broker refused {clientId}: {result.ResultCode} {result.ReasonString}");
        }
    }

    private static DeviceStatus SampleStatus(string deviceId) => new()
    {
        DeviceId = deviceId,
        AgentVersion = "0.1.0-sim",
        Seq = 1,
        ReportedAt = DateTimeOffset.UnixEpoch,
        DesiredVersion = 42,
        AppliedVersion = 42,
        Phase = DeploymentPhases.Committed,
        Stacks = [new StackStatus { Name = "web", Digest = "sha256:" + new string('a', 64) }],
        Facts = new DeviceFacts { Os = "linux", Arch = "arm64", Kernel = "6.1.0", EngineVersion = "24.0.7", Cpus = 4, MemoryBytes = 4L << 30, DiskFreeBytes = 16L << 30 },
    };
}
