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
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.LoadingRetainedMessageAsync += e =>
        {
            // Status and presence kept by an earlier version would replay stale presence: with the
            // controller taking device traffic directly they are no longer retained (HandDeviceTrafficTo).
            e.LoadedRetainedMessages = [.. _retained.LoadAll().Where(m => _deviceTraffic is null || !IsDeviceTraffic(m.Topic))];
            return Task.CompletedTask;
        };
        _server.RetainedMessageChangedAsync += e =>
        {
            _retained.Save(e.ChangedRetainedMessage);
            return Task.CompletedTask;
        };
    }

    public MqttServer Server => _server;

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
        var decision = BrokerAccessPolicy.Subscribe(IdentityOf(e.SessionItems), e.TopicFilter.Topic);
        if (!decision.Allowed)
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            e.ReasonString = decision.Reason;
            LogRefused(e.ClientId, decision.Reason!);
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

        return Task.CompletedTask;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broker refused {ClientId}: {Reason}")]
    private partial void LogRefused(string clientId, string reason);
}
