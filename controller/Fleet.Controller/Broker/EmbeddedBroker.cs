using Fleet.Protocol.Topics;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Fleet.Controller.Broker;

/// <summary>
/// The controller's own MQTT v5 broker (MQTTnet): persistent sessions, retained messages kept in
/// the controller's database across restarts, and the per-device ACL of
/// <see cref="BrokerAccessPolicy"/> enforced on connect, subscribe and publish.
/// </summary>
public sealed partial class EmbeddedBroker : IAsyncDisposable
{
    private const string IdentityKey = "fleet.identity";

    private readonly EmbeddedBrokerOptions _options;
    private readonly IBrokerCredentials _credentials;
    private readonly RetainedMessageStore _retained;
    private readonly ILogger _logger;
    private readonly MqttServer _server;
    private readonly DeviceDelivery _toDevices = new();
    private Func<MqttApplicationMessage, Task>? _deviceTraffic;

    public EmbeddedBroker(EmbeddedBrokerOptions options, IBrokerCredentials credentials, RetainedMessageStore retained, ILogger<EmbeddedBroker> logger)
    {
        _options = options;
        _credentials = credentials;
        _retained = retained;
        _logger = logger;
        var serverOptions = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(options.BindAddress)
            .WithDefaultEndpointPort(options.Port)
            .WithPersistentSessions(true)
            .WithMaxPendingMessagesPerClient(options.MaxPendingMessagesPerClient)
            .Build();
        // Per connection: what MQTTnet starts its packet writer with (it grows for a larger packet and
        // shrinks back after it). Most packets to a device are acks and a few-KB desired state.
        serverOptions.WriterBufferSize = options.WriterBufferBytes;
        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.InterceptingUnsubscriptionAsync += InterceptUnsubscriptionAsync;
        _server.SessionDeletedAsync += e =>
        {
            _toDevices.SessionDeleted(e.Id, e.SessionItems);
            return Task.CompletedTask;
        };
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.LoadingRetainedMessageAsync += e =>
        {
            // Status and presence kept by an earlier version would replay stale presence: with the
            // controller taking device traffic directly they are no longer retained (HandDeviceTrafficTo).
            // Desired and trust are kept and delivered by DeviceDelivery, outside MQTTnet's retained set.
            e.LoadedRetainedMessages = [.. _toDevices.LoadRetained(_retained.LoadAll()).Where(m => _deviceTraffic is null || !IsDeviceTraffic(m.Topic))];
            return Task.CompletedTask;
        };
        _server.RetainedMessageChangedAsync += e =>
        {
            _retained.Save(e.ChangedRetainedMessage);
            return Task.CompletedTask;
        };
    }

    public MqttServer Server => _server;

    /// <summary>What the controller sends devices, kept and delivered outside MQTTnet's dispatch.</summary>
    public DeviceDelivery ToDevices => _toDevices;

    /// <summary>
    /// Hands what devices publish on their status, events and online topics (after the ACL) to
    /// <paramref name="deliver"/> instead of dispatching it to subscribers: the controller's own ingest,
    /// the same handlers its MQTT client feeds (<see cref="Mqtt.MqttLink.DeliverAsync"/>). Set before start.
    /// </summary>
    public void HandDeviceTrafficTo(Func<MqttApplicationMessage, Task> deliver) => _deviceTraffic = deliver;

    public Task StartAsync() => _server.StartAsync();

    /// <summary>Ends a client's live session, e.g. a deleted device's: revoked credentials only stop new connections.</summary>
    public async Task DisconnectAsync(string clientId)
    {
        foreach (var client in (await _server.GetClientsAsync()).Where(c => c.Id == clientId))
        {
            await client.DisconnectAsync(new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized });
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server.IsStarted)
        {
            await _server.StopAsync(new MqttServerStopOptions());
        }

        _server.Dispose();
    }

    private Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        var identity = e.UserName is { } user && e.Password is { } password ? _credentials.Authenticate(user, password) : null;
        if (identity is null)
        {
            Refuse(e, MqttConnectReasonCode.BadUserNameOrPassword, "unknown, wrong or revoked credentials");
            return Task.CompletedTask;
        }

        if (!identity.IsController && BrokerAccessPolicy.Connect(e.ClientId, identity.DeviceId) is { Allowed: false } refused)
        {
            Refuse(e, MqttConnectReasonCode.ClientIdentifierNotValid, refused.Reason!);
            return Task.CompletedTask;
        }

        e.SessionItems[IdentityKey] = identity;
        e.ReasonCode = MqttConnectReasonCode.Success;
        return Task.CompletedTask;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var identity = IdentityOf(e.SessionItems);
        var filter = e.TopicFilter.Topic;
        var decision = BrokerAccessPolicy.Subscribe(identity, filter);
        if (!decision.Allowed)
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            e.ReasonString = decision.Reason;
            LogRefused(e.ClientId, decision.Reason!);
        }
        else if (identity.IsController)
        {
            _toDevices.ControllerSubscribed(filter);
        }
        else if (DeviceDelivery.Carries(filter, out var topic))
        {
            // Granted, but kept out of MQTTnet's subscriptions: DeviceDelivery delivers to this session.
            e.ProcessSubscription = false;
            _toDevices.Subscribed(topic.DeviceId, topic.Kind, e.Session, e.SessionItems, e.TopicFilter.RetainHandling);
        }

        return Task.CompletedTask;
    }

    private Task InterceptUnsubscriptionAsync(InterceptingUnsubscriptionEventArgs e)
    {
        if (!IdentityOf(e.SessionItems).IsController && DeviceDelivery.Carries(e.Topic, out var topic))
        {
            _toDevices.Unsubscribed(topic.DeviceId, topic.Kind, e.SessionItems);
            e.Response.ReasonCode = MqttUnsubscribeReasonCode.Success;
        }

        return Task.CompletedTask;
    }

    private Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        var message = e.ApplicationMessage;
        var identity = IdentityOf(e.SessionItems);
        var decision = message.Payload.Length > _options.MaxPayloadBytes
            ? AccessDecision.Deny($"payload of {message.Payload.Length} bytes on '{message.Topic}' is over the {_options.MaxPayloadBytes}-byte cap")
            : BrokerAccessPolicy.Publish(identity, message.Topic, message.Retain);
        if (!decision.Allowed)
        {
            e.ProcessPublish = false;
            e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
            e.Response.ReasonString = decision.Reason;
            LogRefused(e.ClientId, decision.Reason!);
        }
        else if (!identity.IsController && _deviceTraffic is { } deliver && IsDeviceTraffic(message.Topic))
        {
            // Straight to the controller, not through MQTTnet's dispatch, which checks every connected
            // session's subscriptions for every message (O(sessions): at 10,000 devices, ~10,000 checks
            // per status) and copies every retained message on each retained publish. The controller is
            // the only subscriber of these topics; the device still gets its PUBACK once it is taken.
            e.ProcessPublish = false;
            return deliver(message);
        }
        else if (identity.IsController && DeviceDelivery.Carries(message.Topic, out var topic))
        {
            // Straight into the device's session, for the same reason.
            DeliverToDevice(message, topic);
            if (_toDevices.HasMonitors)
            {
                message.Retain = false;
            }
            else
            {
                e.ProcessPublish = false;
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Takes a controller publish to a device's desired, trust or cmd topic in process, as the broker takes it
    /// from the controller's MQTT client, without that client's round trip over the socket (serialize, send,
    /// parse, acknowledge). False when it has to go through
    /// the broker after all: another topic, a payload over the cap (refused there), or a monitor subscribed to
    /// device topics (it sees the publish through MQTTnet's dispatch).
    /// </summary>
    public bool TryPublishToDevice(MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_toDevices.HasMonitors || message.Payload.Length > _options.MaxPayloadBytes || !DeviceDelivery.Carries(message.Topic, out var topic))
        {
            return false;
        }

        DeliverToDevice(message, topic);
        return true;
    }

    // The retained copy is kept by DeviceDelivery and written to the store here, as MQTTnet's retained-changed event would have.
    private void DeliverToDevice(MqttApplicationMessage message, DeviceTopic topic)
    {
        if (message.Retain)
        {
            _retained.Save(message);
        }

        if (!_toDevices.Publish(message, topic))
        {
            LogQueueFull(topic.DeviceId, message.Topic);
        }
    }

    private static bool IsDeviceTraffic(string topic) =>
        DeviceTopics.TryParse(topic, out var parsed) && parsed.Kind is DeviceTopicKind.Status or DeviceTopicKind.Events or DeviceTopicKind.Online;

    // Messages injected by the controller itself carry no session: they are the controller's.
    private static BrokerIdentity IdentityOf(System.Collections.IDictionary? items) =>
        items?[IdentityKey] as BrokerIdentity ?? BrokerIdentity.Controller;

    private void Refuse(ValidatingConnectionEventArgs e, MqttConnectReasonCode code, string reason)
    {
        e.ReasonCode = code;
        e.ReasonString = reason;
        LogRefused(e.ClientId, reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Device {DeviceId}'s session queue is full: dropped a message on {Topic}")]
    private partial void LogQueueFull(string deviceId, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker refused {ClientId}: {Reason}")]
    private partial void LogRefused(string clientId, string reason);
}
